import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { signingKeyAlias } from '../../lambda/nightly-backup/signing';
import { denyGrantsNotForAwsResources } from './encryption-key';

/** Properties of a {@link BackupSigningKey}. */
export interface BackupSigningKeyProps {
  /** Stage name: the alias is `bulwark-<stage>-backup-signing`. */
  readonly stageName: string;
  /**
   * Name of the role that signs manifests (the nightly backup function's, created
   * later in the App stack): the only principal allowed `kms:GenerateMac`.
   */
  readonly signerRoleName: string;
  /** The role that restores backups: the only principal allowed `kms:VerifyMac`. */
  readonly verifierRole: iam.IRole;
}

/**
 * The KMS HMAC key that makes backup manifests authentic (BKP-VERIFY): HMAC_256 for
 * GenerateMac/VerifyMac with HMAC_SHA_256, retained with the longest pending window
 * (manifests signed with it stay verifiable for the backup retention and beyond).
 * Its key policy denies `kms:GenerateMac` to every principal but the backup
 * function's role and `kms:VerifyMac` to every principal but the restore role,
 * whatever their IAM policies allow; grants only for AWS services. Whoever may put
 * objects under the backup prefix cannot forge a manifest without it.
 *
 * KMS does not rotate HMAC keys automatically (automatic rotation is for symmetric
 * encryption keys only); a manual rotation is a new key and alias, with the old key
 * kept to verify older manifests.
 */
export class BackupSigningKey extends kms.Key {
  constructor(scope: Construct, id: string, props: BackupSigningKeyProps) {
    super(scope, id, {
      alias: signingKeyAlias(props.stageName),
      description:
        'Bulwark backup manifest signatures (HMAC): GenerateMac by the nightly backup only, VerifyMac by restore only',
      keySpec: kms.KeySpec.HMAC_256,
      keyUsage: kms.KeyUsage.GENERATE_VERIFY_MAC,
      enableKeyRotation: false,
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const { account, partition } = Stack.of(this);
    const signerRoleArn = `arn:${partition}:iam::${account}:role/${props.signerRoleName}`;
    // As for every customer key (CT.KMS.PR.3): no principal hands out use by grants.
    this.addToResourcePolicy(denyGrantsNotForAwsResources());
    // The signer's role is named, not referenced: it lives in a later stack, and a key
    // policy may not name a principal that does not exist yet (a condition may).
    this.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyGenerateMacButBackup',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:GenerateMac'],
        resources: ['*'],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': signerRoleArn } },
      }),
    );
    this.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'DenyVerifyMacButRestore',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['kms:VerifyMac'],
        resources: ['*'],
        conditions: { ArnNotEquals: { 'aws:PrincipalArn': props.verifierRole.roleArn } },
      }),
    );
  }
}
