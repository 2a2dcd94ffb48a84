import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { physicalNames, type StageConfig } from '../config';
import { acknowledge } from '../compliance/acknowledgements';
import { AccessLogBucket } from '../constructs/access-log-bucket';
import { EncryptionKey } from '../constructs/encryption-key';
import { ObjectLockVault } from '../constructs/object-lock-vault';
import { OUTPUT_KEYS } from '../stage-layout';

/** Properties of the {@link RecoveryStack}. */
export interface RecoveryStackProps extends StackProps {
  /** Validated stage configuration. */
  readonly config: StageConfig;
}

/**
 * The disaster-recovery region's half of BKP-REMOTE (termination-protected):
 * an object-locked, KMS-encrypted bucket that receives a replica of every backup
 * object, with its own key and access-log bucket. Deployed before the Data stack,
 * which replicates into it by name.
 */
export class RecoveryStack extends Stack {
  /** The replica vault. */
  readonly replicaBucket: ObjectLockVault;
  /** Key of the replica vault. */
  readonly replicaKey: EncryptionKey;

  constructor(scope: Construct, id: string, props: RecoveryStackProps) {
    super(scope, id, { ...props, terminationProtection: true });
    const cfg = props.config;
    const names = physicalNames(cfg);
    this.replicaKey = new EncryptionKey(this, 'BackupReplicaKey', {
      alias: names.replicaKeyAlias.replace(/^alias\//, ''),
      description: 'Bulwark backup replicas in the recovery region',
    });
    const accessLogs = new AccessLogBucket(this, 'AccessLogBucket', {
      retentionDays: cfg.auditLogRetentionDays,
    });
    this.replicaBucket = new ObjectLockVault(this, 'BackupReplicaBucket', {
      bucketName: names.replicaBucket,
      encryptionKey: this.replicaKey,
      retentionDays: cfg.backupRetentionDays,
      accessLogs,
    });
    acknowledge(this.replicaBucket, 'replicaBucketIsDestination');
    new CfnOutput(this, OUTPUT_KEYS.Recovery.replicaBucketName, {
      value: this.replicaBucket.bucketName,
      description: 'Object-locked replica of the backup vault (npm run verify)',
    });
  }
}
