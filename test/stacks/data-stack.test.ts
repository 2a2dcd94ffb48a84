import { Match } from 'aws-cdk-lib/assertions';
import { CONTROLS } from '../../lib/compliance/controls';
import { STAGES, onlyResource, resourcesOf, template } from '../support/assembly';

const REPLICAS = { Staging: 1, Production: 2 } as const;
const ACCOUNT = { Staging: '111111111111', Production: '222222222222' } as const;
const keyArn = (prefix: string) => ({
  'Fn::GetAtt': [Match.stringLikeRegexp(`^${prefix}`), 'Arn'],
});

describe.each(STAGES)('Data stack (%s)', (stage) => {
  const t = template(stage, 'Data');
  const instances = () => Object.values(resourcesOf(t, 'AWS::RDS::DBInstance'));
  const primary = () => onlyResource(t, 'AWS::RDS::DBInstance', 'DatabasePrimary');
  const backupBucket = () => onlyResource(t, 'AWS::S3::Bucket', 'BackupBucket');

  describe('ENC-REST', () => {
    it('rotates every customer encryption key yearly and retains it', () => {
      const all = resourcesOf(t, 'AWS::KMS::Key');
      // The manifest signing key is an HMAC key, which KMS cannot rotate automatically
      // (test/stacks/nightly-backup.test.ts checks it).
      const keys = Object.fromEntries(
        Object.entries(all).filter(([, k]) => k.Properties.KeySpec !== 'HMAC_256'),
      );
      expect(Object.keys(all).filter((id) => !(id in keys))).toEqual([
        expect.stringMatching(/^BackupSigningKey/),
      ]);
      expect(Object.keys(keys).sort()).toEqual([
        expect.stringMatching(/^AssetsKey/),
        expect.stringMatching(/^BackupKey/),
        expect.stringMatching(/^DataKey/),
      ]);
      for (const key of Object.values(keys)) {
        expect(key.Properties).toMatchObject({
          EnableKeyRotation: true,
          RotationPeriodInDays: 365,
          PendingWindowInDays: 30,
        });
        expect(key.DeletionPolicy).toBe('Retain');
      }
    });

    it('encrypts the database storage and Performance Insights with the data key', () => {
      expect(primary().Properties).toMatchObject({
        StorageEncrypted: true,
        KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^DataKey/), 'Arn'] },
        EnablePerformanceInsights: true,
        PerformanceInsightsKMSKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^DataKey/), 'Arn'] },
      });
    });

    it('encrypts the database secret and database logs with the data key', () => {
      t.hasResourceProperties('AWS::SecretsManager::Secret', { KmsKeyId: keyArn('DataKey') });
      const groups = Object.values(resourcesOf(t, 'AWS::Logs::LogGroup'));
      expect(groups).toHaveLength(2 * (1 + REPLICAS[stage]));
      for (const g of groups) {
        expect(g.Properties.KmsKeyId).toEqual({
          'Fn::GetAtt': [expect.stringMatching(/^DataKey/), 'Arn'],
        });
      }
    });

    it('encrypts the backup bucket with the backup key and the assets bucket with its own key', () => {
      const sse = (id: string) =>
        onlyResource(t, 'AWS::S3::Bucket', id).Properties.BucketEncryption
          .ServerSideEncryptionConfiguration[0];
      expect(sse('BackupBucket')).toEqual({
        BucketKeyEnabled: true,
        ServerSideEncryptionByDefault: {
          SSEAlgorithm: 'aws:kms',
          KMSMasterKeyID: { 'Fn::GetAtt': [expect.stringMatching(/^BackupKey/), 'Arn'] },
        },
      });
      expect(sse('AssetsBucket')).toEqual({
        BucketKeyEnabled: true,
        ServerSideEncryptionByDefault: {
          SSEAlgorithm: 'aws:kms',
          KMSMasterKeyID: { 'Fn::GetAtt': [expect.stringMatching(/^AssetsKey/), 'Arn'] },
        },
      });
      expect(sse('AccessLogBucket').ServerSideEncryptionByDefault).toEqual({
        SSEAlgorithm: 'AES256',
      });
    });
  });

  describe('ENC-TRANSIT', () => {
    it('forces TLS 1.2+ in the PostgreSQL parameter group', () => {
      t.hasResourceProperties('AWS::RDS::DBParameterGroup', {
        Parameters: Match.objectLike({ 'rds.force_ssl': '1', ssl_min_protocol_version: 'TLSv1.2' }),
      });
      for (const db of instances()) {
        expect(db.Properties.DBParameterGroupName).toEqual({
          Ref: expect.stringMatching(/^DatabaseParameters/),
        });
      }
    });

    it('requires TLS and end-to-end IAM auth at the proxy, with no stored password', () => {
      const proxy = onlyResource(t, 'AWS::RDS::DBProxy');
      expect(proxy.Properties).toMatchObject({
        RequireTLS: true,
        EngineFamily: 'POSTGRESQL',
        DefaultAuthScheme: 'IAM_AUTH',
      });
      expect(proxy.Properties.Auth).toBeUndefined();
    });

    it('lets the proxy sign in as the API, backup, outbox and operator users only (ACC-DATA)', () => {
      const policy = onlyResource(t, 'AWS::IAM::Policy', 'DatabasePrimaryProxyIAMRole');
      const user = (name: string) => ({
        'Fn::Join': [
          '',
          [
            expect.stringMatching(/:dbuser:$/),
            { 'Fn::GetAtt': ['DatabasePrimaryEDE0B3D0', 'DbiResourceId'] },
            `/${name}`,
          ],
        ],
      });
      expect(policy.Properties.PolicyDocument.Statement).toEqual([
        {
          Action: 'rds-db:connect',
          Effect: 'Allow',
          Resource: [
            user('bulwark_api'),
            user('bulwark_backup'),
            user('bulwark_operator'),
            user('bulwark_outbox'),
          ],
        },
      ]);
    });

    it('denies non-TLS and pre-1.2 requests on every bucket', () => {
      const policies = Object.values(resourcesOf(t, 'AWS::S3::BucketPolicy'));
      expect(policies).toHaveLength(3);
      for (const p of policies) {
        const statements = p.Properties.PolicyDocument.Statement;
        expect(statements).toContainEqual(
          expect.objectContaining({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        );
        expect(statements).toContainEqual(
          expect.objectContaining({
            Effect: 'Deny',
            Condition: { NumericLessThan: { 's3:TlsVersion': 1.2 } },
          }),
        );
      }
    });
  });

  describe('BKP-DB', () => {
    it('keeps automated backups 30 days, snapshots on delete and is deletion-protected', () => {
      const db = primary();
      expect(db.Properties.BackupRetentionPeriod).toBeGreaterThanOrEqual(30);
      expect(db.Properties.DeletionProtection).toBe(true);
      expect(db.Properties.DeleteAutomatedBackups).toBe(false);
      expect(db.DeletionPolicy).toBe('Snapshot');
      expect(db.UpdateReplacePolicy).toBe('Snapshot');
    });
  });

  describe('BKP-DAILY (backup vault)', () => {
    it('locks every object in COMPLIANCE mode for 30 days', () => {
      expect(backupBucket().Properties).toMatchObject({
        ObjectLockEnabled: true,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 30 } },
        },
        VersioningConfiguration: { Status: 'Enabled' },
      });
    });

    it('expires current and noncurrent versions only after the lock has run out (RET-DATA)', () => {
      const rules = backupBucket().Properties.LifecycleConfiguration.Rules;
      expect(rules).toContainEqual(
        expect.objectContaining({
          Status: 'Enabled',
          ExpirationInDays: 31,
          NoncurrentVersionExpiration: { NoncurrentDays: 1 },
        }),
      );
      for (const rule of rules) {
        if (rule.ExpirationInDays !== undefined) expect(rule.ExpirationInDays).toBeGreaterThan(30);
      }
    });

    it('blocks all public access, logs access and is retained', () => {
      const b = backupBucket();
      expect(b.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
      expect(b.Properties.LoggingConfiguration.DestinationBucketName).toEqual({
        Ref: expect.stringMatching(/^AccessLogBucket/),
      });
      expect(b.DeletionPolicy).toBe('Retain');
    });
  });

  describe('BKP-REMOTE', () => {
    it('replicates every backup object, KMS-encrypted, to the recovery region within 15 minutes', () => {
      const replication = backupBucket().Properties.ReplicationConfiguration;
      expect(replication.Rules).toEqual([
        expect.objectContaining({
          Status: 'Enabled',
          Filter: { Prefix: '' },
          SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: 'Enabled' } },
          Destination: expect.objectContaining({
            Bucket: `arn:aws:s3:::bulwark-${stage.toLowerCase()}-backups-${ACCOUNT[stage]}-eu-central-1`,
            EncryptionConfiguration: {
              ReplicaKmsKeyID: `arn:aws:kms:eu-central-1:${ACCOUNT[stage]}:alias/bulwark-${stage.toLowerCase()}-backup-replica`,
            },
            ReplicationTime: { Status: 'Enabled', Time: { Minutes: 15 } },
          }),
        }),
      ]);
      expect(replication.Role).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/^BackupReplicationRole/), 'Arn'],
      });
    });

    it('lets the replication role read the source with its lock and write only replicas', () => {
      const policy = onlyResource(t, 'AWS::IAM::ManagedPolicy', 'BackupReplicationRole');
      const actions = policy.Properties.PolicyDocument.Statement.flatMap((s: any) =>
        [s.Action].flat(),
      );
      expect(actions).toEqual(
        expect.arrayContaining([
          's3:GetObjectRetention',
          's3:GetObjectLegalHold',
          's3:ReplicateObject',
        ]),
      );
      expect(actions).not.toContain('s3:ReplicateDelete');
      expect(actions.filter((a: string) => a.endsWith('*'))).toEqual([]);
    });
  });

  describe('MON-AUDIT (access logs)', () => {
    it("accepts S3 log delivery only from this account's buckets", () => {
      const policy = onlyResource(t, 'AWS::S3::BucketPolicy', 'AccessLogBucketPolicy');
      const delivery = policy.Properties.PolicyDocument.Statement.filter(
        (st: any) => st.Effect === 'Allow' && st.Principal?.Service === 'logging.s3.amazonaws.com',
      );
      expect(delivery.length).toBeGreaterThan(0);
      for (const st of delivery) {
        expect(st.Action).toBe('s3:PutObject');
        expect(st.Condition.StringEquals['aws:SourceAccount']).toBe(ACCOUNT[stage]);
      }
    });
  });

  describe('ACC-DATA', () => {
    it('keeps every instance private, with IAM authentication and monitoring', () => {
      for (const db of instances()) {
        expect(db.Properties).toMatchObject({
          PubliclyAccessible: false,
          EnableIAMDatabaseAuthentication: true,
          MonitoringInterval: 30,
          EnableCloudwatchLogsExports: ['postgresql', 'upgrade'],
        });
      }
    });

    it('preloads pgaudit and logs only DDL and role changes cluster-wide (MON-AUDIT)', () => {
      const groups = Object.values(resourcesOf(t, 'AWS::RDS::DBParameterGroup'));
      expect(groups).toHaveLength(1);
      const p = groups[0].Properties;
      expect(p.Family).toMatch(/^postgres\d+$/);
      expect(p.Parameters.shared_preload_libraries.split(',')).toEqual([
        'pg_stat_statements',
        'pgaudit',
      ]);
      expect(p.Parameters['pgaudit.log']).toBe('ddl,role');
      expect(p.Parameters['pgaudit.log_level']).toBe('log');
      // psql's catalog queries are not statement-logged; content tables always are.
      expect(p.Parameters['pgaudit.log_catalog']).toBe('0');
      // Object auditing (pgaudit.role) is unused: the operator's sessions are logged per role.
      expect(p.Parameters['pgaudit.role']).toBeUndefined();
    });

    it('runs every instance on that parameter group, exporting the postgresql log where pgaudit writes', () => {
      const [groupId] = Object.keys(resourcesOf(t, 'AWS::RDS::DBParameterGroup'));
      expect(instances()).toHaveLength(1 + REPLICAS[stage]);
      for (const db of instances()) {
        expect(db.Properties.DBParameterGroupName).toEqual({ Ref: groupId });
        expect(db.Properties.EnableCloudwatchLogsExports).toContain('postgresql');
      }
      const logGroups = Object.values(resourcesOf(t, 'AWS::Logs::LogGroup')).map(
        (g) => g.Properties.LogGroupName,
      );
      expect(logGroups.filter((n: string) => n.endsWith('/postgresql'))).toHaveLength(
        1 + REPLICAS[stage],
      );
    });

    it('backs the pgaudit and log-export evidence of ACC-DATA and MON-AUDIT, which fails once either is lost', () => {
      const evidence = (type: string) =>
        CONTROLS.filter((c) => c.id === 'ACC-DATA' || c.id === 'MON-AUDIT')
          .flatMap((c) => c.evidence)
          .filter((e) => e.type === type && /pgaudit|PostgreSQL log/.test(e.claim));
      const ctx = { stage: 'Production', logicalId: 'DatabasePrimary', resources: {} };
      const groups = evidence('AWS::RDS::DBParameterGroup');
      const exports = evidence('AWS::RDS::DBInstance');
      expect([groups.length, exports.length]).toEqual([2, 2]);
      const group = Object.values(resourcesOf(t, 'AWS::RDS::DBParameterGroup'))[0];
      const withParameter = (name: string, value: string) => ({
        ...group.Properties,
        Parameters: { ...group.Properties.Parameters, [name]: value },
      });
      for (const e of groups) {
        expect(e.holds(group.Properties, group, ctx)).toBe(true);
        expect(
          e.holds(withParameter('shared_preload_libraries', 'pg_stat_statements'), group, ctx),
        ).toBe(false);
        expect(e.holds(withParameter('pgaudit.log', 'ddl'), group, ctx)).toBe(false);
      }
      for (const e of exports) {
        expect(e.holds(primary().Properties, primary(), ctx)).toBe(true);
        const withoutLog = { ...primary().Properties, EnableCloudwatchLogsExports: ['upgrade'] };
        expect(e.holds(withoutLog, primary(), ctx)).toBe(false);
      }
    });

    it('logs connections and disconnections', () => {
      t.hasResourceProperties('AWS::RDS::DBParameterGroup', {
        Parameters: Match.objectLike({ log_connections: '1', log_disconnections: '1' }),
      });
    });

    it('rotates the database secret every 30 days, and retains it', () => {
      t.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
        RotationRules: { ScheduleExpression: 'rate(30 days)' },
      });
      t.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
    });
  });

  describe('DR-REPL', () => {
    it(`runs ${REPLICAS[stage]} read replica(s) of the primary in other AZs`, () => {
      const replicas = instances().filter((i) => i.Properties.SourceDBInstanceIdentifier);
      expect(replicas).toHaveLength(REPLICAS[stage]);
      const zones = replicas.map((r) => r.Properties.AvailabilityZone['Fn::Select'][0]);
      expect(new Set(zones).size).toBe(replicas.length);
      expect(zones).not.toContain(0);
    });

    it(
      stage === 'Production'
        ? 'runs the primary Multi-AZ'
        : 'runs the primary single-AZ (downscaled)',
      () => {
        expect(primary().Properties.MultiAZ).toBe(stage === 'Production');
      },
    );
  });
});
