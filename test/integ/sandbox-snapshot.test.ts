import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { projectContext } from '../support/synth';
import { EXAMPLE_CONFIG, buildSandbox, sandboxConfig } from './sandbox-app';
import { SNAPSHOT_DIR, diffSnapshot, normalizedTemplates } from './snapshot';

/**
 * DEP-READY: the sandbox integration test's templates are checked offline against
 * their committed snapshot (`npm run integ -- --update-snapshot` writes it), so a
 * change to what the sandbox deploys or asserts is seen in review.
 */
describe('sandbox integration test', () => {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulwark-integ-'));
  const app = new App({
    outdir,
    context: { ...projectContext(), 'aws:cdk:bundling-stacks': [] },
  });
  buildSandbox(app, JSON.parse(fs.readFileSync(EXAMPLE_CONFIG, 'utf8')));
  const assembly = app.synth();

  it('matches its snapshot, stack by stack', () => {
    expect(diffSnapshot(normalizedTemplates(assembly.directory), SNAPSHOT_DIR)).toEqual([]);
  });

  it('is destroyable: no termination or deletion protection, and no resource kept that can go', () => {
    const templates = normalizedTemplates(assembly.directory);
    for (const a of assembly.stacks)
      expect([a.stackName, a.terminationProtection]).toEqual([a.stackName, false]);
    const all = Object.values(templates).flatMap((t: any) =>
      Object.values(t.Resources ?? {}),
    ) as any[];
    const db = all.find((r) => r.Type === 'AWS::RDS::DBInstance');
    expect([db.Properties.DeletionProtection, db.DeletionPolicy]).toEqual([false, 'Delete']);
    for (const r of all.filter((x) =>
      ['AWS::Logs::LogGroup', 'AWS::DynamoDB::Table'].includes(x.Type),
    )) {
      expect(r.DeletionPolicy).toBe('Delete');
    }
  });

  it('asserts health, a published entry, a backup manifest and both threat-response outcomes', () => {
    const assertions = JSON.stringify(
      normalizedTemplates(assembly.directory)['Bulwark-Sandbox-Assertions'],
    );
    for (const fragment of [
      'https://sandbox.bulwark.example.com/health',
      '/v1/spaces/integ/entries',
      'strict-transport-security',
      'manifestKey',
      '\\"outcome\\":\\"sample\\"',
      '1.1.1.1/32',
    ]) {
      expect(assertions).toContain(fragment);
    }
  });

  it('rejects an override that breaks the stage schema, naming the key', () => {
    expect(() =>
      sandboxConfig(projectContext().stages as any, { alerts: { email: 'nope' } }),
    ).toThrow(/stages\.sandbox\.alerts\.email = "nope": must be an e-mail address/);
  });
});
