import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkStatefulChanges, readAllowFile } from '../../lib/compliance/stateful-guard';
import { SHARED_ASSEMBLY_DIR } from '../support/paths';

/** A copy of the shared assembly, changed by `edit` (template by stack name, and the manifest). */
function changedAssembly(edit: (templates: Record<string, any>, manifest: any) => void): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-guard-'));
  const templates: Record<string, any> = {};
  for (const f of fs.readdirSync(SHARED_ASSEMBLY_DIR).filter((x) => x.endsWith('.json'))) {
    fs.copyFileSync(path.join(SHARED_ASSEMBLY_DIR, f), path.join(dir, f));
    if (f.endsWith('.template.json'))
      templates[f.replace('.template.json', '')] = JSON.parse(
        fs.readFileSync(path.join(dir, f), 'utf8'),
      );
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
  edit(templates, manifest);
  for (const [name, t] of Object.entries(templates))
    fs.writeFileSync(path.join(dir, `${name}.template.json`), JSON.stringify(t));
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}

const DATA = 'Bulwark-Production-Data';
const resources = (t: Record<string, any>, stack: string) => t[stack].Resources;

describe('stateful-change guard', () => {
  it('passes an unchanged assembly', () => {
    expect(checkStatefulChanges(SHARED_ASSEMBLY_DIR, SHARED_ASSEMBLY_DIR)).toEqual([]);
  });

  it('passes a harmless change (an alarm threshold, a tag)', () => {
    const dir = changedAssembly((t) => {
      for (const r of Object.values<any>(resources(t, 'Bulwark-Production-Security'))) {
        if (r.Type === 'AWS::CloudWatch::Alarm') r.Properties.Threshold = 2;
      }
      resources(t, DATA).BackupBucket26B8E51C.Properties.Tags.push({
        Key: 'team',
        Value: 'platform',
      });
    });
    expect(checkStatefulChanges(SHARED_ASSEMBLY_DIR, dir)).toEqual([]);
  });

  it('catches a renamed logical id of a bucket', () => {
    const dir = changedAssembly((t) => {
      const r = resources(t, DATA);
      r.BackupVaultRenamed = r.BackupBucket26B8E51C;
      delete r.BackupBucket26B8E51C;
    });
    expect(checkStatefulChanges(SHARED_ASSEMBLY_DIR, dir)).toEqual([
      {
        stack: DATA,
        logicalId: 'BackupBucket26B8E51C',
        type: 'AWS::S3::Bucket',
        cause: expect.stringContaining('would leave the stack'),
      },
    ]);
  });

  it('catches a property change that replaces the database', () => {
    const dir = changedAssembly((t) => {
      resources(t, DATA).DatabasePrimaryEDE0B3D0.Properties.DBInstanceIdentifier =
        'bulwark-production-db-2';
    });
    expect(checkStatefulChanges(SHARED_ASSEMBLY_DIR, dir)).toEqual([
      {
        stack: DATA,
        logicalId: 'DatabasePrimaryEDE0B3D0',
        type: 'AWS::RDS::DBInstance',
        cause: expect.stringContaining('replaced'),
      },
    ]);
  });

  it('catches a deleted bucket and a deleted key', () => {
    const dir = changedAssembly((t) => {
      delete resources(t, DATA).AssetsBucket5CB76180;
      delete resources(t, DATA).BackupKey60B97760;
    });
    expect(
      checkStatefulChanges(SHARED_ASSEMBLY_DIR, dir)
        .map((v) => v.logicalId)
        .sort(),
    ).toEqual(['AssetsBucket5CB76180', 'BackupKey60B97760']);
  });

  it('catches a stateful stack losing termination protection', () => {
    const dir = changedAssembly((_t, m) => {
      m.artifacts[DATA].properties.terminationProtection = false;
    });
    expect(checkStatefulChanges(SHARED_ASSEMBLY_DIR, dir)).toEqual([
      expect.objectContaining({ stack: DATA, cause: 'would lose termination protection' }),
    ]);
  });

  it('lets a reviewed allow-file permit a listed change, and only that one', () => {
    const dir = changedAssembly((t) => {
      delete resources(t, DATA).AssetsBucket5CB76180;
      delete resources(t, DATA).BackupKey60B97760;
    });
    const allow = path.join(dir, 'allow.json');
    fs.writeFileSync(
      allow,
      JSON.stringify([
        {
          stack: DATA,
          logicalId: 'AssetsBucket5CB76180',
          reason: 'assets moved to the media stack (migration plan #12)',
        },
      ]),
    );
    expect(
      checkStatefulChanges(SHARED_ASSEMBLY_DIR, dir, readAllowFile(allow)).map((v) => v.logicalId),
    ).toEqual(['BackupKey60B97760']);
    fs.writeFileSync(allow, JSON.stringify([{ stack: DATA, logicalId: 'X' }]));
    expect(() => readAllowFile(allow)).toThrow('needs stack, logicalId and a reason');
  });

  it('runs as npm run guard: exit 1 naming resource and cause, 2 without a baseline', () => {
    const dir = changedAssembly((t) => {
      delete resources(t, DATA).AssetsBucket5CB76180;
    });
    const run = (...args: string[]) =>
      spawnSync(
        process.execPath,
        ['--import', 'tsx', path.join(__dirname, '..', '..', 'scripts', 'guard.ts'), ...args],
        { encoding: 'utf8' },
      );
    const refused = run('--baseline', SHARED_ASSEMBLY_DIR, '--current', dir);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(
      `REFUSED ${DATA}/AssetsBucket5CB76180 (AWS::S3::Bucket) would leave the stack`,
    );
    expect(run('--baseline', SHARED_ASSEMBLY_DIR, '--current', SHARED_ASSEMBLY_DIR).status).toBe(0);
    const missing = run('--baseline', path.join(dir, 'nothing'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('--baseline must name a synthesized cloud assembly');
  });
});
