import type { StagePart } from '../../lib/stage-layout';
import { STAGES, resourcesOf, stackArtifact, template } from '../support/assembly';

/**
 * Logical ids of stateful resources (SDLC-CHANGE). A changed id makes CloudFormation
 * replace the resource: a database, key or bucket would be created anew, empty. If a
 * change here is intended, it needs a migration plan, not an update of this list.
 */
const PINNED: Record<Exclude<StagePart, 'App' | 'Edge' | 'DeployAccess' | 'Replica'>, string[]> = {
  Network: [
    'NetworkLogKey8E3AEAE4',
    'NetworkVpc7FB7348F',
    'NetworkVpcDataSubnet1SubnetC4E2CA79',
    'NetworkVpcDataSubnet2Subnet1DE78234',
    'NetworkVpcAppSubnet1SubnetFA2393E9',
    'NetworkVpcAppSubnet2SubnetF926DC8B',
    'NetworkFlowLogGroup4F8CEEEF',
    'SecurityGroupsDatabase03711F2A',
    'SecurityGroupsProxy0E652629',
  ],
  Recovery: ['BackupReplicaKey360DBFCC', 'AccessLogBucketDA470295', 'BackupReplicaBucket15CA5756'],
  Data: [
    'DataKey17AFBB84',
    'BackupKey60B97760',
    // Signs the backup manifests: a new key could not verify the ones signed before.
    'BackupSigningKeyCE8498C0',
    'AssetsKey6C8A65AC',
    'AccessLogBucketDA470295',
    'BackupBucket26B8E51C',
    'AssetsBucket5CB76180',
    'DatabaseSecret3B817195',
    'ApiKeyPepper5255E043',
    'DatabasePrimaryEDE0B3D0',
    'DatabasePrimaryPostgresLogs200EEEF2',
    'DatabasePrimaryUpgradeLogs18B3A864',
  ],
  Security: [
    'AuditKeyB2DBB069',
    'AuditTrailBucketA91FD435',
    'AuditTrailLogGroup28BB9333',
    'ThreatResponseBlocklist00A862E0',
    'PeopleUserPool5E462257',
  ],
};

/** Types whose loss loses data: CloudFormation must keep them on delete and replace. */
const KEEP = [
  'AWS::KMS::Key',
  'AWS::S3::Bucket',
  'AWS::Logs::LogGroup',
  'AWS::SecretsManager::Secret',
  'AWS::DynamoDB::Table',
  'AWS::Cognito::UserPool',
];

/**
 * Properties that give a retained resource a physical name. A retained resource
 * with a fixed name would survive a failed first deploy and block its retry.
 */
const FIXED_NAME_KEYS = ['LogGroupName', 'BucketName', 'TableName', 'Name'];

describe.each(STAGES)('SDLC-CHANGE (%s)', (stage) => {
  it.each(Object.keys(PINNED) as (keyof typeof PINNED)[])(
    'keeps the logical ids of stateful resources in %s',
    (part) => {
      const ids = Object.keys(template(stage, part).toJSON().Resources);
      expect(PINNED[part].filter((id) => !ids.includes(id))).toEqual([]);
    },
  );

  it.each([...Object.keys(PINNED), 'App', 'Edge'] as StagePart[])(
    'retains every key, bucket, log group and secret in %s; a named one unless its creation rolls back',
    (part) => {
      const t = template(stage, part);
      for (const type of KEEP) {
        for (const [id, r] of Object.entries(resourcesOf(t, type))) {
          const named = FIXED_NAME_KEYS.some((key) => r.Properties?.[key] !== undefined);
          expect({ id, deletion: r.DeletionPolicy, replace: r.UpdateReplacePolicy }).toEqual({
            id,
            deletion: named ? 'RetainExceptOnCreate' : 'Retain',
            replace: 'Retain',
          });
        }
      }
    },
  );

  it('snapshots the primary database on delete or replacement', () => {
    const primary = resourcesOf(
      template(stage, 'Data'),
      'AWS::RDS::DBInstance',
    ).DatabasePrimaryEDE0B3D0;
    expect([primary.DeletionPolicy, primary.UpdateReplacePolicy]).toEqual(['Snapshot', 'Snapshot']);
  });

  it('protects every stateful stack from termination', () => {
    for (const part of Object.keys(PINNED) as StagePart[]) {
      expect(stackArtifact(stage, part).terminationProtection).toBe(true);
    }
  });
});
