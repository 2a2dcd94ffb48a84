import {
  DescribeDBEngineVersionsCommand,
  DescribeOrderableDBInstanceOptionsCommand,
} from '@aws-sdk/client-rds';
import { resourcesOf } from '../assembly';
import { type PreflightContext, stackOf } from '../context';
import { type CheckResult, errorEvidence, failWithFix, pass } from '../../verify/types';

/**
 * PostgreSQL major versions RDS Proxy supports for RDS for PostgreSQL, as AWS lists
 * them (https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.RDS_Fea_Regions_DB-eng.Feature.RDSProxy.html).
 * No API answers this; update the list when pinning a new major version.
 */
export const RDS_PROXY_POSTGRES_MAJORS = ['18', '17', '16', '15', '14', '13', '12', '11'] as const;

/**
 * DEP-READY: the pinned engine version is available in the region, orderable for the
 * stage's instance class, and of a major version RDS Proxy supports.
 */
export async function checkDatabase(ctx: PreflightContext): Promise<CheckResult[]> {
  const { cfg } = ctx;
  const [, primary] = resourcesOf(stackOf(ctx, 'Data'), 'AWS::RDS::DBInstance').find(
    ([, r]) => r.Properties?.EngineVersion && !r.Properties?.SourceDBInstanceIdentifier,
  )!;
  const version = String(primary.Properties.EngineVersion);
  const instanceClass = String(primary.Properties.DBInstanceClass);
  const rds = ctx.clients.rds(cfg.region);
  const orderable = `PostgreSQL ${version} orderable as ${instanceClass} in ${cfg.region}`;
  const pinned = 'lib/constructs/database.ts (POSTGRES_VERSION)';
  const results: CheckResult[] = [];
  try {
    const engines = await rds.send(
      new DescribeDBEngineVersionsCommand({ Engine: 'postgres', EngineVersion: version }),
    );
    const options = await rds.send(
      new DescribeOrderableDBInstanceOptionsCommand({
        Engine: 'postgres',
        EngineVersion: version,
        DBInstanceClass: instanceClass,
        Vpc: true,
      }),
    );
    const available = (engines.DBEngineVersions ?? []).some(
      (v) => v.EngineVersion === version && v.Status !== 'deprecated',
    );
    const count = options.OrderableDBInstanceOptions?.length ?? 0;
    results.push(
      available && count > 0
        ? pass('DEP-READY', orderable, `${count} orderable option(s)`)
        : failWithFix(
            'DEP-READY',
            orderable,
            available
              ? `${instanceClass} cannot be ordered with ${version} in ${cfg.region}`
              : `PostgreSQL ${version} is not available in ${cfg.region}`,
            `choose another database.instanceClass, or pin an available version in ${pinned}: aws rds describe-orderable-db-instance-options --engine postgres --db-instance-class ${instanceClass} --region ${cfg.region}`,
          ),
    );
  } catch (err) {
    results.push(
      failWithFix(
        'DEP-READY',
        orderable,
        errorEvidence(err),
        'grant rds:DescribeDBEngineVersions and rds:DescribeOrderableDBInstanceOptions to the preflight credentials',
      ),
    );
  }
  const major = version.split('.')[0];
  const proxy = `RDS Proxy supports PostgreSQL ${major}`;
  results.push(
    (RDS_PROXY_POSTGRES_MAJORS as readonly string[]).includes(major)
      ? pass('DEP-READY', proxy, `AWS lists RDS for PostgreSQL ${major} for RDS Proxy`)
      : failWithFix(
          'DEP-READY',
          proxy,
          `RDS Proxy does not list PostgreSQL ${major}`,
          `pin a major version RDS Proxy supports in ${pinned}`,
        ),
  );
  return results;
}
