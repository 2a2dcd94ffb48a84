import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance/acknowledgements';
import { EncryptedLogGroup } from './encrypted-log-group';
import { bundledCode } from './lambda-bundle';
import { grantQueueSend } from './queue-access';

/** Properties of a {@link SecureFunction}. */
export interface SecureFunctionProps {
  /** Handler file under `lambda/`, e.g. `content-api/handler.ts` (exports `handler`). */
  readonly entry: string;
  /** What the function does. */
  readonly description: string;
  /**
   * The VPC and isolated subnets it runs in; `undefined` only for a function that
   * calls an AWS API with no VPC endpoint, with the reason acknowledged.
   */
  readonly vpc: ec2.IVpc | undefined;
  /** Subnets of the function (with `vpc`). */
  readonly subnets?: ec2.SubnetSelection;
  /** Its security group (with `vpc`; owned by the network stack, imported unchanged). */
  readonly securityGroup?: ec2.ISecurityGroup;
  /** Customer key of its log group. */
  readonly logKey: kms.IKey;
  /** Log retention in days. */
  readonly logRetentionDays: number;
  /** Memory in MiB. */
  readonly memoryMiB: number;
  /** Timeout. */
  readonly timeout: Duration;
  /** Reserved (and maximum) concurrent executions. */
  readonly reservedConcurrency: number;
  /**
   * Where asynchronous invocations go after their retries fail. The function's role
   * may send to it and use its key through SQS.
   * @default - none (synchronous or poll-based callers see every failure)
   */
  readonly deadLetterQueue?: sqs.IQueue;
  /**
   * Environment variables (never secrets: pass secret ARNs).
   * @default - none
   */
  readonly environment?: Record<string, string>;
}

/**
 * A Node.js Lambda with Bulwark's required settings: current LTS runtime on arm64,
 * bundled and minified with source maps and every AWS SDK client it uses, inside
 * the VPC's isolated subnets with its own security group, X-Ray tracing, reserved
 * concurrency, and its own KMS-encrypted log group with retention. Trusts the RDS
 * certificate authorities for TLS to the database.
 */
export class SecureFunction extends lambda.Function {
  /** Its log group. */
  readonly logs: EncryptedLogGroup;

  constructor(scope: Construct, id: string, props: SecureFunctionProps) {
    const securityGroup = props.securityGroup;
    if (props.vpc && (!securityGroup || !props.subnets)) {
      throw new Error(
        `SecureFunction ${id}: a function in a VPC needs its subnets and its security group (the network stack's)`,
      );
    }
    const logs = new EncryptedLogGroup(scope, `${id}Logs`, {
      encryptionKey: props.logKey,
      retentionDays: props.logRetentionDays,
    });
    super(scope, id, {
      code: bundledCode(props.entry),
      handler: 'index.handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memoryMiB,
      timeout: props.timeout,
      reservedConcurrentExecutions: props.reservedConcurrency,
      ...(props.vpc && {
        vpc: props.vpc,
        vpcSubnets: props.subnets,
        securityGroups: [
          // The firewall belongs to the network stack; the function may not add rules.
          ec2.SecurityGroup.fromSecurityGroupId(
            scope,
            `${id}SecurityGroup`,
            securityGroup!.securityGroupId,
            { mutable: false, allowAllOutbound: false },
          ),
        ],
        allowPublicSubnet: false,
      }),
      tracing: lambda.Tracing.ACTIVE,
      deadLetterQueue: props.deadLetterQueue,
      logGroup: logs,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
        ...props.environment,
      },
    });
    this.logs = logs;
    // Lambda sends failed asynchronous events with the function's role: CDK grants
    // sqs:SendMessage, and an encrypted queue needs its key as well.
    if (props.deadLetterQueue) grantQueueSend(this, props.deadLetterQueue);
    // On the role: its grants (DefaultPolicy) are only added later, by callers.
    acknowledge(this.role!, 'lambdaBasicExecutionPolicy');
    if (props.vpc) acknowledge(this.role!, 'lambdaVpcAccessPolicy');
    acknowledge(this.role!, 'xrayNeedsWildcard');
    acknowledge(this.role!, 'cdkGeneratedRolePolicy');
    if (props.vpc) acknowledge(this, 'vpcConfigImported');
  }

  /** Lets the function read one secret (and decrypt it with its key, through Secrets Manager only). */
  allowSecretRead(secretArn: string, key: kms.IKey): void {
    this.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        resources: [secretArn],
      }),
    );
    this.allowKeyVia(key, 'secretsmanager', ['kms:Decrypt']);
  }

  /** Lets the function use `key` for `actions`, only through the given AWS service. */
  allowKeyVia(key: kms.IKey, service: string, actions: string[]): void {
    this.addToRolePolicy(
      new iam.PolicyStatement({
        actions,
        resources: [key.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `${service}.${Stack.of(this).region}.amazonaws.com` },
        },
      }),
    );
  }
}
