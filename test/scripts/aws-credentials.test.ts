import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EXIT_CANNOT_RUN, credentialSource } from '../../scripts/lib/aws-credentials';

const emptyHome = () => fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-home-'));

describe('credentialSource', () => {
  it('finds nothing in a bare environment, without calling AWS', () => {
    expect(credentialSource({}, emptyHome())).toBeUndefined();
  });

  it.each([
    [{ AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'x' }, 'environment variables'],
    [{ AWS_PROFILE: 'platform' }, 'profile platform'],
    [{ AWS_EC2_METADATA_DISABLED: 'false' }, 'EC2 instance role'],
    [{ AWS_EC2_METADATA_DISABLED: 'true' }, undefined],
    [{ AWS_WEB_IDENTITY_TOKEN_FILE: '/var/run/token' }, 'web identity token'],
    [{ AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials' }, 'container credentials'],
  ])('finds %p', (env, source) => {
    expect(credentialSource(env, emptyHome())).toBe(source);
  });

  it('ignores an access key id without its secret', () => {
    expect(credentialSource({ AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE' }, emptyHome())).toBeUndefined();
  });

  it('finds a shared credentials file', () => {
    const home = emptyHome();
    fs.mkdirSync(path.join(home, '.aws'));
    fs.writeFileSync(path.join(home, '.aws', 'config'), '[default]\nregion = eu-west-1\n');
    expect(credentialSource({}, home)).toMatch(/^shared file .*config$/);
  });
});

/** Runs the deploy script as `npm run deploy -- --stage <stage>` would, with no AWS setup. */
const runDeploy = (stage: string) =>
  spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, '..', '..', 'scripts', 'deploy.ts'), '--stage', stage],
    { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: emptyHome() } },
  );

describe('npm run deploy', () => {
  it('says it needs an account and exits 2 when no credentials are configured', () => {
    const r = runDeploy('staging');
    expect(r.status).toBe(EXIT_CANNOT_RUN);
    expect(r.stderr).toContain(
      'deploy needs a real AWS account, and no AWS credentials are configured',
    );
  });

  it('rejects an unknown stage in one line naming the stages there are', () => {
    const r = runDeploy('qa');
    expect(r.status).toBe(EXIT_CANNOT_RUN);
    expect(r.stderr).toBe('deploy: no stage qa in cdk.json (stages: staging, production)\n');
  });
});
