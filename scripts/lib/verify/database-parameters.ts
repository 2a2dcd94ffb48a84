import {
  type DBInstance,
  DescribeDBInstancesCommand,
  DescribeDBParametersCommand,
  type Parameter,
  type RDSClient,
} from '@aws-sdk/client-rds';
import { type CheckId, type CheckResult, failWithFix, judge, observed, pass } from './types';

/** The instances whose parameter group must carry the Data stack's settings. */
export interface DatabaseParametersExpectation {
  /** `physicalNames(cfg).databaseInstance`; its read replicas are read from it. */
  readonly instanceId: string;
  /** Region of the instance (for the fix commands). */
  readonly region: string;
}

const IN_SYNC: CheckId = ['ACC-DATA', 'database parameter group is applied (in-sync)'];
const FORCE_SSL: CheckId = ['ENC-TRANSIT', 'database parameter group forces TLS'];
const PGAUDIT: CheckId = [
  'MON-AUDIT',
  'database parameter group loads pgaudit, logging DDL and roles',
];
const EXPORTS: CheckId = ['MON-AUDIT', 'database instances export the postgresql log'];

interface Observed {
  readonly instances: DBInstance[];
  /** Parameters by group name. */
  readonly parameters: Map<string, Map<string, Parameter>>;
}

/** Every parameter of a group, following `Marker` across pages. */
async function parametersOf(client: RDSClient, group: string): Promise<Map<string, Parameter>> {
  const all = new Map<string, Parameter>();
  let marker: string | undefined;
  do {
    const page = await client.send(
      new DescribeDBParametersCommand({ DBParameterGroupName: group, Marker: marker }),
    );
    for (const p of page.Parameters ?? []) if (p.ParameterName) all.set(p.ParameterName, p);
    marker = page.Marker;
  } while (marker);
  return all;
}

const describeInstance = async (client: RDSClient, id: string): Promise<DBInstance> => {
  const out = await client.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: id }));
  const db = out.DBInstances?.[0];
  if (!db) throw new Error(`DBInstanceNotFound: ${id} not described`);
  return db;
};

const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((v) => v.trim().toLowerCase())
    .filter(Boolean);

/**
 * The parameter group of the primary and its read replicas in its region (DescribeDBInstances,
 * DescribeDBParameters): applied on every instance (`ParameterApplyStatus` `in-sync`;
 * a static parameter such as `shared_preload_libraries` waits for a reboot), TLS
 * forced (`rds.force_ssl=1`, ENC-TRANSIT), pgaudit loaded with `pgaudit.log` holding
 * `ddl` and `role` (MON-AUDIT), and the `postgresql` log exported by every instance,
 * which is where pgaudit writes (MON-AUDIT).
 */
export async function checkDatabaseParameters(
  client: RDSClient,
  expected: DatabaseParametersExpectation,
): Promise<CheckResult[]> {
  return observed(
    [IN_SYNC, FORCE_SSL, PGAUDIT, EXPORTS],
    async (): Promise<Observed> => {
      const primary = await describeInstance(client, expected.instanceId);
      // A replica in another region is listed by its ARN, and lives there: only the
      // replicas of the primary's region are read here.
      const replicas = await Promise.all(
        (primary.ReadReplicaDBInstanceIdentifiers ?? [])
          .filter((id) => !id.startsWith('arn:'))
          .map((id) => describeInstance(client, id)),
      );
      const instances = [primary, ...replicas];
      const groups = new Set(
        instances.flatMap((db) => (db.DBParameterGroups ?? []).map((g) => g.DBParameterGroupName)),
      );
      const parameters = new Map<string, Map<string, Parameter>>();
      for (const group of groups) {
        if (group) parameters.set(group, await parametersOf(client, group));
      }
      return { instances, parameters };
    },
    ({ instances, parameters }) => {
      const groupOf = (db: DBInstance) => db.DBParameterGroups?.[0];
      const valueOn = (db: DBInstance, name: string) =>
        parameters.get(groupOf(db)?.DBParameterGroupName ?? '')?.get(name)?.ParameterValue;
      const each = (describeOne: (db: DBInstance) => string | undefined) =>
        instances.map((db) => [db.DBInstanceIdentifier ?? '?', describeOne(db)] as const);
      const problems = (found: ReturnType<typeof each>) =>
        found.filter(([, problem]) => problem !== undefined).map(([id, p]) => `${id}: ${p}`);
      const names = instances.map((db) => db.DBInstanceIdentifier).join(', ');

      const pending = problems(
        each((db) => {
          const g = groupOf(db);
          return g?.ParameterApplyStatus === 'in-sync'
            ? undefined
            : `${g?.DBParameterGroupName ?? 'no parameter group'} ${g?.ParameterApplyStatus ?? 'absent'}`;
        }),
      );
      const inSync =
        pending.length === 0
          ? pass(...IN_SYNC, `${names}: parameter group in-sync`)
          : failWithFix(
              ...IN_SYNC,
              `${pending.join('; ')}; expected in-sync (a static parameter, such as shared_preload_libraries, applies only when the instance reboots)`,
              `reboot each instance in a quiet moment: aws rds reboot-db-instance --region ${expected.region} --db-instance-identifier <id> (for ${instances
                .filter((db) => groupOf(db)?.ParameterApplyStatus !== 'in-sync')
                .map((db) => db.DBInstanceIdentifier)
                .join(', ')})`,
            );

      const ssl = problems(
        each((db) => {
          const v = valueOn(db, 'rds.force_ssl');
          return v === '1' ? undefined : `rds.force_ssl ${v ?? 'unset'}`;
        }),
      );
      const audit = problems(
        each((db) => {
          const libs = list(valueOn(db, 'shared_preload_libraries'));
          const log = list(valueOn(db, 'pgaudit.log'));
          const missing = [
            ...(libs.includes('pgaudit') ? [] : [`shared_preload_libraries [${libs.join(',')}]`]),
            ...(['ddl', 'role'].every((c) => log.includes(c) || log.includes('all'))
              ? []
              : [`pgaudit.log [${log.join(',')}]`]),
          ];
          return missing.length ? missing.join(', ') : undefined;
        }),
      );
      const exports = problems(
        each((db) =>
          (db.EnabledCloudwatchLogsExports ?? []).includes('postgresql')
            ? undefined
            : `exports [${(db.EnabledCloudwatchLogsExports ?? []).join(', ')}]`,
        ),
      );
      return [
        inSync,
        judge(
          ...FORCE_SSL,
          ssl.length === 0,
          ssl.length === 0 ? `${names}: rds.force_ssl 1` : `${ssl.join('; ')}; expected 1`,
        ),
        judge(
          ...PGAUDIT,
          audit.length === 0,
          audit.length === 0
            ? `${names}: shared_preload_libraries includes pgaudit, pgaudit.log includes ddl and role`
            : `${audit.join('; ')}; expected shared_preload_libraries to include pgaudit and pgaudit.log to include ddl and role`,
        ),
        judge(
          ...EXPORTS,
          exports.length === 0,
          exports.length === 0
            ? `${names}: postgresql log exported`
            : `${exports.join('; ')}; expected postgresql among the exported logs`,
        ),
      ];
    },
  );
}
