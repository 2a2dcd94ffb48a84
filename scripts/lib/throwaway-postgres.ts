import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

/** A PostgreSQL cluster in a temporary directory, owned by this process. */
export interface ThrowawayPostgres {
  /** Superuser connection URL of the `postgres` database. */
  readonly url: string;
  /** Port on 127.0.0.1. */
  readonly port: number;
  /** Directory holding the cluster. */
  readonly dir: string;
  /** The server's log file (its stderr: every LOG line, pgaudit's included). */
  readonly logFile: string;
  /** Stops the server and removes the directory. */
  stop(): void;
}

/** The directory of `initdb`, `pg_ctl` and `pg_dump`: PATH first, then Debian's layout. */
export function postgresBinDir(): string {
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  if (which.status === 0 && which.stdout.trim()) {
    return path.dirname(fs.realpathSync(which.stdout.trim()));
  }
  const root = '/usr/lib/postgresql';
  const versions = fs.existsSync(root)
    ? fs.readdirSync(root).sort((a, b) => Number(b) - Number(a))
    : [];
  for (const v of versions) {
    if (fs.existsSync(path.join(root, v, 'bin', 'initdb'))) return path.join(root, v, 'bin');
  }
  throw new Error(
    'PostgreSQL server binaries not found: install them (apt-get install -y postgresql)',
  );
}

/** Major version of the PostgreSQL server binaries {@link postgresBinDir} finds, e.g. `15`. */
export function postgresMajorVersion(bin = postgresBinDir()): number {
  const out = execFileSync(path.join(bin, 'postgres'), ['--version'], { encoding: 'utf8' });
  const major = /\(PostgreSQL\) (\d+)/.exec(out)?.[1];
  if (!major) throw new Error(`Cannot read the PostgreSQL version from: ${out.trim()}`);
  return Number(major);
}

/**
 * Whether the pgaudit library is installed beside the server binaries (Debian:
 * `postgresql-<major>-pgaudit`), so a cluster may load it.
 */
export function pgauditInstalled(bin = postgresBinDir()): boolean {
  const libDirs = [path.join(path.dirname(bin), 'lib')];
  const pgConfig = spawnSync(path.join(bin, 'pg_config'), ['--pkglibdir'], { encoding: 'utf8' });
  if (pgConfig.status === 0 && pgConfig.stdout.trim()) libDirs.push(pgConfig.stdout.trim());
  return libDirs.some((dir) => fs.existsSync(path.join(dir, 'pgaudit.so')));
}

/** Options of {@link startThrowawayPostgres}. */
export interface ThrowawayPostgresOptions {
  /**
   * Server settings beyond the throwaway defaults, e.g.
   * `{ shared_preload_libraries: 'pgaudit' }`.
   * @default - none
   */
  readonly settings?: Readonly<Record<string, string>>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts a throwaway cluster on a free loopback port. `initdb` refuses to run as
 * root, so as root the cluster runs as the `postgres` user.
 */
export async function startThrowawayPostgres(
  options: ThrowawayPostgresOptions = {},
): Promise<ThrowawayPostgres> {
  const bin = postgresBinDir();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-pg-'));
  const data = path.join(dir, 'data');
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  if (asRoot) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  const run = (cmd: string, args: string[]) =>
    asRoot
      ? execFileSync('runuser', ['-u', 'postgres', '--', path.join(bin, cmd), ...args], {
          stdio: 'pipe',
        })
      : execFileSync(path.join(bin, cmd), args, { stdio: 'pipe' });

  run('initdb', [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
  ]);
  const serverOptions = [
    `-p ${port}`,
    "-c listen_addresses='127.0.0.1'",
    `-k ${dir}`,
    '-c fsync=off',
    '-c synchronous_commit=off',
    '-c full_page_writes=off',
    '-c max_connections=200',
    ...Object.entries(options.settings ?? {}).map(([name, value]) => `-c ${name}='${value}'`),
  ].join(' ');
  const logFile = path.join(dir, 'server.log');
  run('pg_ctl', ['start', '-D', data, '-w', '-t', '60', '-l', logFile, '-o', serverOptions]);

  let stopped = false;
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    dir,
    logFile,
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        run('pg_ctl', ['stop', '-D', data, '-m', 'immediate', '-w']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
