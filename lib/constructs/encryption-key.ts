import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** Properties of an {@link EncryptionKey}. */
export interface EncryptionKeyProps {
  /** Alias without the `alias/` prefix, e.g. `bulwark-production-data`. */
  readonly alias: string;
  /** What the key protects; shown in the KMS console. */
  readonly description: string;
  /**
   * AWS services (by service principal name, e.g. `sns`) that may use the key on
   * the account's behalf, through the key policy.
   * @default - none
   */
  readonly servicePrincipals?: string[];
  /**
   * Let CloudWatch Logs encrypt log groups of this account and region with the key.
   * @default false
   */
  readonly allowCloudWatchLogs?: boolean;
}

/**
 * A customer-managed KMS key (ENC-REST): symmetric AES-256, yearly automatic
 * rotation, retained on stack deletion with the longest pending window.
 */
/**
 * The key-policy statement every customer key carries (CT.KMS.PR.3): grants only for
 * AWS services acting for the account, so no principal can hand out use of the key
 * by creating grants of its own.
 */
export const denyGrantsNotForAwsResources = () =>
  new iam.PolicyStatement({
    sid: 'DenyGrantsNotForAwsResources',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: {
      BoolIfExists: {
        'kms:GrantIsForAWSResource': 'false',
        'aws:PrincipalIsAWSService': 'false',
      },
    },
  });

export class EncryptionKey extends kms.Key {
  constructor(scope: Construct, id: string, props: EncryptionKeyProps) {
    super(scope, id, {
      alias: props.alias,
      description: props.description,
      keySpec: kms.KeySpec.SYMMETRIC_DEFAULT,
      keyUsage: kms.KeyUsage.ENCRYPT_DECRYPT,
      enableKeyRotation: true,
      rotationPeriod: Duration.days(365),
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const { region, account, partition } = Stack.of(this);
    this.addToResourcePolicy(denyGrantsNotForAwsResources());
    if (props.allowCloudWatchLogs) {
      this.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: 'AllowCloudWatchLogsOfThisAccount',
          principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
          actions: [
            'kms:Encrypt*',
            'kms:Decrypt*',
            'kms:ReEncrypt*',
            'kms:GenerateDataKey*',
            'kms:Describe*',
          ],
          resources: ['*'],
          conditions: {
            ArnLike: {
              'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:log-group:*`,
            },
          },
        }),
      );
    }
    for (const service of props.servicePrincipals ?? []) {
      // EventBridge's deliveries into encrypted topics and queues carry no
      // aws:SourceAccount or aws:SourceArn to KMS (SNS documents such conditions as
      // unsupported for it), so its statement cannot be scoped that way.
      const scoped = service !== 'events';
      this.addToResourcePolicy(
        new iam.PolicyStatement({
          sid: `Allow${service.replace(/[^A-Za-z0-9]/g, '')}${scoped ? 'OfThisAccount' : 'Deliveries'}`,
          principals: [new iam.ServicePrincipal(`${service}.amazonaws.com`)],
          actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          resources: ['*'],
          ...(scoped && { conditions: { StringEquals: { 'aws:SourceAccount': account } } }),
        }),
      );
    }
  }
}
