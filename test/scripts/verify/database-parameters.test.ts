import { DescribeDBParametersCommand } from '@aws-sdk/client-rds';
import type { StageConfig } from '../../../lib/config';
import {
  type World,
  accessDenied,
  answerFrom,
  aws,
  compliantWorld,
  ids,
  resultOf,
  stageConfig,
  verify,
} from './fixtures';

const IN_SYNC = 'database parameter group is applied (in-sync)';
const FORCE_SSL = 'database parameter group forces TLS';
const PGAUDIT = 'database parameter group loads pgaudit, logging DDL and roles';
const EXPORTS = 'database instances export the postgresql log';
const CHECKS = [IN_SYNC, FORCE_SSL, PGAUDIT, EXPORTS];

/** A parameter of the stage's group, to change. */
const parameter = (w: World, cfg: StageConfig, name: string) =>
  w.parameterGroups[ids(cfg).parameterGroup].find((p) => p.ParameterName === name)!;
const replica = (w: World, cfg: StageConfig, n: number) =>
  w.databases[`bulwark-${cfg.name}-db-replica-${n}`];

async function run(stage: 'staging' | 'production', drift: (w: World, cfg: StageConfig) => void) {
  const cfg = stageConfig(stage);
  const world = compliantWorld(cfg);
  drift(world, cfg);
  answerFrom(world);
  return verify(['--stage', stage]);
}

describe('npm run verify: the database parameter group', () => {
  it('passes on the compliant production stage, reading every page of the parameters', async () => {
    const { code, results } = await run('production', () => undefined);

    expect(code).toBe(0);
    expect(CHECKS.map((c) => resultOf(results, c).result)).toEqual([
      'PASS',
      'PASS',
      'PASS',
      'PASS',
    ]);
    expect(resultOf(results, PGAUDIT)).toEqual({
      control: 'MON-AUDIT',
      check: PGAUDIT,
      result: 'PASS',
      evidence:
        'bulwark-production-db, bulwark-production-db-replica-1, bulwark-production-db-replica-2: shared_preload_libraries includes pgaudit, pgaudit.log includes ddl and role',
    });
    const pages = aws.rds.commandCalls(DescribeDBParametersCommand).map((c) => c.args[0].input);
    expect(pages).toEqual([
      { DBParameterGroupName: ids(stageConfig('production')).parameterGroup },
      {
        DBParameterGroupName: ids(stageConfig('production')).parameterGroup,
        Marker: expect.any(String),
      },
    ]);
  });

  it('fails with the reboot that applies it when a replica waits for one (pending-reboot)', async () => {
    const { code, results } = await run('production', (w, cfg) => {
      replica(w, cfg, 2).DBParameterGroups![0].ParameterApplyStatus = 'pending-reboot';
    });

    expect(code).toBe(1);
    const r = resultOf(results, IN_SYNC);
    expect(r).toMatchObject({ control: 'ACC-DATA', result: 'FAIL' });
    expect(r.evidence).toMatch(
      /^bulwark-production-db-replica-2: bulwark-production-data-databaseparameters\S+ pending-reboot; expected in-sync \(a static parameter, such as shared_preload_libraries, applies only when the instance reboots\)$/,
    );
    expect(r.fix).toBe(
      'reboot each instance in a quiet moment: aws rds reboot-db-instance --region eu-west-1 --db-instance-identifier <id> (for bulwark-production-db-replica-2)',
    );
    expect(resultOf(results, PGAUDIT).result).toBe('PASS');
  });

  it.each([
    [
      'pgaudit is no longer preloaded',
      (w: World, cfg: StageConfig) =>
        (parameter(w, cfg, 'shared_preload_libraries').ParameterValue = 'pg_stat_statements'),
      PGAUDIT,
      'bulwark-staging-db: shared_preload_libraries [pg_stat_statements]',
    ],
    [
      'pgaudit.log no longer logs role changes',
      (w: World, cfg: StageConfig) => (parameter(w, cfg, 'pgaudit.log').ParameterValue = 'ddl'),
      PGAUDIT,
      'bulwark-staging-db: pgaudit.log [ddl]',
    ],
    [
      'TLS is no longer forced',
      (w: World, cfg: StageConfig) => (parameter(w, cfg, 'rds.force_ssl').ParameterValue = '0'),
      FORCE_SSL,
      'bulwark-staging-db: rds.force_ssl 0',
    ],
    [
      'a replica stopped exporting the postgresql log',
      (w: World, cfg: StageConfig) =>
        (replica(w, cfg, 1).EnabledCloudwatchLogsExports = ['upgrade']),
      EXPORTS,
      'bulwark-staging-db-replica-1: exports [upgrade]; expected postgresql among the exported logs',
    ],
  ])('fails when %s', async (_, drift, check, evidence) => {
    const { code, results } = await run('staging', drift);

    expect(code).toBe(1);
    expect(resultOf(results, check).result).toBe('FAIL');
    expect(resultOf(results, check).evidence).toContain(evidence);
    expect(CHECKS.filter((c) => resultOf(results, c).result === 'FAIL')).toEqual([check]);
  });

  it('fails every parameter check with the error when DescribeDBParameters is denied', async () => {
    const { code, results } = await run('staging', (w) =>
      w.refusals.push({
        command: 'DescribeDBParameters',
        error: accessDenied(
          'rds',
          'User: arn:aws:sts::111111111111:assumed-role/BulwarkReadOnly/alice is not authorized to perform: rds:DescribeDBParameters',
        ),
      }),
    );

    expect(code).toBe(1);
    expect(CHECKS.map((c) => resultOf(results, c).result)).toEqual([
      'FAIL',
      'FAIL',
      'FAIL',
      'FAIL',
    ]);
    expect(resultOf(results, PGAUDIT).evidence).toMatch(
      /^AccessDenied: User: .* rds:DescribeDBParameters$/,
    );
    expect(resultOf(results, 'database has deletion protection').result).toBe('PASS');
  });

  it('fails with DBParameterGroupNotFound when the instance names a group that is gone', async () => {
    const { results } = await run('staging', (w) => (w.parameterGroups = {}));

    expect(resultOf(results, FORCE_SSL)).toMatchObject({
      result: 'FAIL',
      evidence: expect.stringMatching(
        /^DBParameterGroupNotFound(Fault)?: DBParameterGroup not found: /,
      ),
    });
  });
});
