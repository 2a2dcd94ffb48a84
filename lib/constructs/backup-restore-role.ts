import { type CfnElement, Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance/acknowledgements';

/** Properties of a {@link BackupRestoreRole}. */
export interface BackupRestoreRoleProps {
  /** Physical name, known to the signing key's policy and to operators. */
  readonly roleName: string;
  /** Stage name, for the description. */
  readonly stageName: string;
}

/**
 * The role `npm run restore` runs with for a deployed stage (BKP-VERIFY): assumable
 * by principals of this account whose own IAM policy allows `sts:AssumeRole` on it.
 * It may list the backup vault, read the stage's backup objects at any version,
 * decrypt them with the backup key through S3 only, and verify manifest signatures
 * with the signing key (the only role the key policy lets verify). It cannot write,
 * delete or sign.
 */
export class BackupRestoreRole extends Construct {
  /** The role. */
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: BackupRestoreRoleProps) {
    super(scope, id);
    this.role = new iam.Role(this, 'Resource', {
      roleName: props.roleName,
      assumedBy: new iam.AccountPrincipal(Stack.of(this).account),
      description: `Bulwark ${props.stageName}: npm run restore (read and verify backups)`,
      // A large restore outlasts the default hour; the caller asks for what it needs.
      maxSessionDuration: Duration.hours(12),
    });
  }

  /**
   * Grants what a restore of `prefix` in `bucket` needs: objects and their versions,
   * the backup key through S3, and verification with `signingKey`.
   */
  allowRestoreFrom(
    bucket: s3.IBucket,
    prefix: string,
    backupKey: kms.IKey,
    signingKey: kms.IKey,
  ): void {
    const { region } = Stack.of(this);
    const policy = new iam.ManagedPolicy(this, 'Policy', {
      description: 'Read, decrypt and verify the stage backups (npm run restore)',
      roles: [this.role],
      statements: [
        // Without ListBucket, S3 answers a missing object with 403 instead of 404.
        new iam.PolicyStatement({ actions: ['s3:ListBucket'], resources: [bucket.bucketArn] }),
        new iam.PolicyStatement({
          actions: ['s3:GetObject', 's3:GetObjectVersion'],
          resources: [bucket.arnForObjects(`${prefix}/*`)],
        }),
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [backupKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } },
        }),
        new iam.PolicyStatement({ actions: ['kms:VerifyMac'], resources: [signingKey.keyArn] }),
      ],
    });
    acknowledge(policy, 'restoreReadsStageBackups', {
      bucket: Stack.of(this).getLogicalId(bucket.node.defaultChild as CfnElement),
      prefix,
    });
  }
}
