import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { physicalNames, type StageConfig } from '../config';
import { acknowledge } from '../compliance/acknowledgements';
import { AccessLogBucket } from '../constructs/access-log-bucket';
import { ApiKeyPepper } from '../constructs/api-key-pepper';
import { BackupReplicationRole } from '../constructs/backup-replication-role';
import { BackupRestoreRole } from '../constructs/backup-restore-role';
import { BackupSigningKey } from '../constructs/backup-signing-key';
import {
  API_DB_USER,
  BACKUP_DB_USER,
  DATABASE_PORT,
  Database,
  OPERATOR_DB_USER,
  OUTBOX_DB_USER,
} from '../constructs/database';
import { EncryptionKey } from '../constructs/encryption-key';
import { availabilityZoneTokens, type IsolatedNetwork } from '../constructs/isolated-network';
import { backupPrefix } from '../constructs/nightly-backup';
import { ObjectLockVault } from '../constructs/object-lock-vault';
import { SecureBucket } from '../constructs/secure-bucket';
import type { WorkloadSecurityGroups } from '../constructs/workload-security-groups';
import { OUTPUT_KEYS, STAGE_OPTIONS_METADATA, type StageOption } from '../stage-layout';

/** Properties of the {@link DataStack}. */
export interface DataStackProps extends StackProps {
  /** Validated stage configuration. */
  readonly config: StageConfig;
  /** The network the data tier lives in. */
  readonly network: IsolatedNetwork;
  /** Security groups of the workloads. */
  readonly securityGroups: WorkloadSecurityGroups;
}

/**
 * Stateful data tier (termination-protected): customer keys, the database and its
 * proxy, the backup vault with its cross-region copy, the manifest signing key and
 * the restore role, the assets bucket and the region's access-log bucket.
 */
export class DataStack extends Stack {
  /** Key for the database, its secret and logs, and the assets bucket. */
  readonly dataKey: EncryptionKey;
  /** Key of the assets bucket; CloudFront may decrypt with it. */
  readonly assetsKey: EncryptionKey;
  /** Key for backup objects. */
  readonly backupKey: EncryptionKey;
  /** The content database. */
  readonly database: Database;
  /** Object-locked bucket of the nightly exports. */
  readonly backupBucket: ObjectLockVault;
  /** HMAC key of the backup manifests' signatures. */
  readonly backupSigningKey: BackupSigningKey;
  /** The role `npm run restore` runs with. */
  readonly backupRestoreRole: BackupRestoreRole;
  /** Assets (media) served through CloudFront. */
  readonly assetsBucket: s3.Bucket;
  /** Pepper of API key hashes. */
  readonly apiKeyPepper: ApiKeyPepper;
  /** Server access logs of every bucket in the region. */
  readonly accessLogBucket: AccessLogBucket;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    // The assets bucket is CloudFront's second origin, in us-east-1.
    super(scope, id, { ...props, terminationProtection: true, crossRegionReferences: true });
    const cfg = props.config;
    const names = physicalNames(cfg);

    this.dataKey = new EncryptionKey(this, 'DataKey', {
      alias: `bulwark-${cfg.name}-data`,
      description: 'Bulwark content database, its secret and logs, and the assets bucket',
      allowCloudWatchLogs: true,
    });
    this.backupKey = new EncryptionKey(this, 'BackupKey', {
      alias: `bulwark-${cfg.name}-backup`,
      description: 'Bulwark object-locked backup exports',
    });

    this.assetsKey = new EncryptionKey(this, 'AssetsKey', {
      alias: `bulwark-${cfg.name}-assets`,
      description: 'Bulwark assets bucket (read by CloudFront through Origin Access Control)',
    });

    this.accessLogBucket = new AccessLogBucket(this, 'AccessLogBucket', {
      retentionDays: cfg.auditLogRetentionDays,
    });

    const replication = new BackupReplicationRole(this, 'BackupReplicationRole', {
      destinationRegion: cfg.drRegion,
      destinationBucketArn: `arn:${this.partition}:s3:::${names.replicaBucket}`,
      destinationKeyAlias: names.replicaKeyAlias,
    });
    this.backupBucket = new ObjectLockVault(this, 'BackupBucket', {
      encryptionKey: this.backupKey,
      retentionDays: cfg.backupRetentionDays,
      accessLogs: this.accessLogBucket,
      replication: {
        role: replication.role,
        destinationBucketArn: `arn:${this.partition}:s3:::${names.replicaBucket}`,
        destinationKeyArn: `arn:${this.partition}:kms:${cfg.drRegion}:${cfg.account}:${names.replicaKeyAlias}`,
      },
    });
    replication.allowReplicationFrom(this.backupBucket, this.backupKey);
    new CfnOutput(this, OUTPUT_KEYS.Data.backupBucketName, {
      value: this.backupBucket.bucketName,
      description: 'Object-locked vault of the nightly exports (npm run restore, npm run verify)',
    });

    this.backupRestoreRole = new BackupRestoreRole(this, 'BackupRestoreRole', {
      roleName: names.backupRestoreRole,
      stageName: cfg.name,
    });
    this.backupSigningKey = new BackupSigningKey(this, 'BackupSigningKey', {
      stageName: cfg.name,
      signerRoleName: names.backupRole,
      verifierRole: this.backupRestoreRole.role,
    });
    this.backupRestoreRole.allowRestoreFrom(
      this.backupBucket,
      backupPrefix(cfg.name),
      this.backupKey,
      this.backupSigningKey,
    );
    new CfnOutput(this, OUTPUT_KEYS.Data.backupRestoreRoleArn, {
      value: this.backupRestoreRole.role.roleArn,
      description: 'Role to run npm run restore with (reads and verifies backups)',
    });

    this.assetsBucket = new SecureBucket(this, 'AssetsBucket', {
      encryptionKey: this.assetsKey,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'AssetsBucket/',
      lifecycleRules: [
        {
          id: 'ExpireOldVersions',
          noncurrentVersionExpiration: Duration.days(cfg.backupRetentionDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
    this.allowCloudFrontToReadAssets();
    acknowledge(this.assetsBucket, 'assetsBucketNotReplicated');
    acknowledge(this.assetsBucket, 'assetsAreMutable');

    const options: Record<StageOption, unknown> = {
      'database.crossRegionReplica': cfg.database.crossRegionReplica,
      'backup.runner': cfg.backup.runner,
    };
    this.templateOptions.metadata = {
      ...this.templateOptions.metadata,
      [STAGE_OPTIONS_METADATA]: options,
    };

    this.apiKeyPepper = new ApiKeyPepper(this, 'ApiKeyPepper', { encryptionKey: this.dataKey });

    this.database = new Database(this, 'Database', {
      vpc: props.network.vpc,
      subnets: props.network.dataSubnets,
      rotationSubnets: props.network.appSubnets,
      availabilityZones: availabilityZoneTokens(cfg.network.azCount),
      securityGroups: {
        database: props.securityGroups.database,
        proxy: props.securityGroups.proxy,
        rotation: props.securityGroups.rotation,
      },
      secretsManagerEndpoint: props.network.endpoints.SecretsManager,
      encryptionKey: this.dataKey,
      instanceClass: cfg.database.instanceClass,
      multiAz: cfg.database.multiAz,
      readReplicas: cfg.database.readReplicas,
      allocatedStorageGiB: cfg.database.allocatedStorageGiB,
      backupRetentionDays: cfg.backupRetentionDays,
      logRetentionDays: cfg.logRetentionDays,
      instanceIdentifier: names.databaseInstance,
      replicaIdentifier: names.replicaInstance,
      port: DATABASE_PORT,
      proxyUsers: [API_DB_USER, BACKUP_DB_USER, OUTBOX_DB_USER, OPERATOR_DB_USER],
    });
  }

  /**
   * Origin Access Control (API-AUTHZ's one exception: assets need no key): this
   * account's CloudFront distributions may read assets and decrypt them through S3.
   * The distribution lives in the Edge stack, which depends on this one, so the
   * statements name the account's distributions rather than its id.
   */
  private allowCloudFrontToReadAssets(): void {
    const cloudFront = new iam.ServicePrincipal('cloudfront.amazonaws.com');
    const fromOurDistributions = {
      StringEquals: { 'AWS:SourceAccount': this.account },
      ArnLike: {
        'AWS:SourceArn': `arn:${this.partition}:cloudfront::${this.account}:distribution/*`,
      },
    };
    this.assetsBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudFrontOriginAccessControl',
        principals: [cloudFront],
        actions: ['s3:GetObject'],
        resources: [this.assetsBucket.arnForObjects('*')],
        conditions: fromOurDistributions,
      }),
    );
    this.assetsKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowCloudFrontToDecryptAssets',
        principals: [cloudFront],
        actions: ['kms:Decrypt'],
        resources: ['*'],
        conditions: {
          ...fromOurDistributions,
          StringEquals: {
            ...fromOurDistributions.StringEquals,
            'kms:ViaService': `s3.${this.region}.amazonaws.com`,
          },
        },
      }),
    );
  }
}
