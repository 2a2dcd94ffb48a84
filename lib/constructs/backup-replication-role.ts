import { type CfnElement, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance/acknowledgements';

/** Properties of a {@link BackupReplicationRole}. */
export interface BackupReplicationRoleProps {
  /** Region of the destination bucket and key. */
  readonly destinationRegion: string;
  /** ARN of the destination bucket. */
  readonly destinationBucketArn: string;
  /** Alias (with `alias/`) of the destination region's customer key. */
  readonly destinationKeyAlias: string;
}

/**
 * The role S3 assumes to copy backups to the recovery region (BKP-REMOTE).
 * It can read object versions (with their Object Lock retention) from one bucket,
 * write replicas into one bucket, decrypt with the source key through S3 only,
 * and encrypt with the one destination key named by its alias.
 */
export class BackupReplicationRole extends Construct {
  /** The role; pass it to the source bucket. */
  readonly role: iam.Role;
  private readonly props: BackupReplicationRoleProps;

  constructor(scope: Construct, id: string, props: BackupReplicationRoleProps) {
    super(scope, id);
    this.props = props;
    this.role = new iam.Role(this, 'Resource', {
      assumedBy: new iam.ServicePrincipal('s3.amazonaws.com'),
      description: 'S3 replication of object-locked backups to the recovery region',
    });
  }

  /** Grants what replication of `source` (encrypted with `sourceKey`) needs. */
  allowReplicationFrom(source: s3.IBucket, sourceKey: kms.IKey): void {
    const { account, partition, region } = Stack.of(this);
    const p = this.props;
    const destinationKeys = `arn:${partition}:kms:${p.destinationRegion}:${account}:key/*`;
    const statements = [
      new iam.PolicyStatement({
        actions: ['s3:GetReplicationConfiguration', 's3:ListBucket'],
        resources: [source.bucketArn],
      }),
      new iam.PolicyStatement({
        actions: [
          's3:GetObjectVersionForReplication',
          's3:GetObjectVersionAcl',
          's3:GetObjectVersionTagging',
          's3:GetObjectRetention',
          's3:GetObjectLegalHold',
        ],
        resources: [source.arnForObjects('*')],
      }),
      new iam.PolicyStatement({
        actions: ['s3:ReplicateObject', 's3:ReplicateTags'],
        resources: [`${p.destinationBucketArn}/*`],
      }),
      new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [sourceKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${region}.amazonaws.com` } },
      }),
      new iam.PolicyStatement({
        actions: ['kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [destinationKeys],
        conditions: {
          StringEquals: { 'kms:ViaService': `s3.${p.destinationRegion}.amazonaws.com` },
          'ForAnyValue:StringEquals': { 'kms:ResourceAliases': p.destinationKeyAlias },
        },
      }),
    ];
    const policy = new iam.ManagedPolicy(this, 'Policy', {
      description: 'Replicate the backup vault into the recovery region',
      statements,
      roles: [this.role],
    });
    const sourceBucket = Stack.of(this).getLogicalId(source.node.defaultChild as CfnElement);
    acknowledge(policy, 'replicationReadsSourceObjects', { sourceBucket });
    acknowledge(policy, 'replicationWritesReplicaObjects', {
      destinationBucketArn: p.destinationBucketArn,
    });
    acknowledge(policy, 'replicationDestinationKeyByAlias', {
      destinationKeyPattern: destinationKeys,
    });
  }
}
