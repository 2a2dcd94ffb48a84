import { loadStageConfigs } from '../../lib/config';
import { run } from '../../scripts/lib/delivery-env';
import { projectContext } from '../support/synth';
import { template } from '../support/assembly';

async function deliveryEnv(argv: string[]) {
  let out = '';
  let err = '';
  const code = await run(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t), env: {} });
  return { code, out, err };
}

describe('npm run delivery:env', () => {
  it.each(['staging', 'production'])(
    'prints the %s roles the workflows assume, as $GITHUB_OUTPUT lines',
    async (stage) => {
      const cfg = loadStageConfigs(projectContext().stages).find((c) => c.name === stage)!;
      const r = await deliveryEnv(['--stage', stage]);
      expect(r.code).toBe(0);
      const values = Object.fromEntries(r.out.split('\n').map((l) => l.split('=', 2)));
      expect(values).toEqual({
        account: cfg.account,
        region: cfg.region,
        'deploy-role-arn': `arn:aws:iam::${cfg.account}:role/bulwark-${stage}-deploy`,
        'read-role-arn': `arn:aws:iam::${cfg.account}:role/bulwark-${stage}-delivery-read`,
        'lookup-role-arn': `arn:aws:iam::${cfg.account}:role/cdk-hnb659fds-lookup-role-${cfg.account}-${cfg.region}`,
        domain: cfg.domainName,
        environment: cfg.delivery.environment,
      });
    },
  );

  it.each([
    ['Staging', 'staging'],
    ['Production', 'production'],
  ] as const)(
    'names the roles the %s DeployAccess template creates and the lookup role it may assume',
    async (title, stage) => {
      const t = template(title, 'DeployAccess').toJSON();
      const roles = Object.values(t.Resources as Record<string, any>).filter(
        (r) => r.Type === 'AWS::IAM::Role',
      );
      const values = Object.fromEntries(
        (await deliveryEnv(['--stage', stage])).out.split('\n').map((l) => l.split('=', 2)),
      );
      const nameOf = (arn: string) => arn.split('/').pop();
      expect(roles.map((r) => r.Properties.RoleName).sort()).toEqual(
        [nameOf(values['deploy-role-arn']), nameOf(values['read-role-arn'])].sort(),
      );
      const read = roles.find((r) => r.Properties.RoleName === nameOf(values['read-role-arn']));
      expect(read.Properties.Policies[0].PolicyDocument.Statement[0].Resource).toBe(
        values['lookup-role-arn'],
      );
    },
  );

  it('exits 2 naming the stages for an unknown stage', async () => {
    const r = await deliveryEnv(['--stage', 'qa']);
    expect(r.code).toBe(2);
    expect(r.err).toBe('delivery:env: no stage qa in cdk.json (stages: staging, production)');
    expect(r.out).toBe('');
  });
});
