import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as triggers from 'aws-cdk-lib/triggers';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance/acknowledgements';
import { DATABASE_NAME } from './database';
import { SecureFunction } from './secure-function';

/** Properties of a {@link SchemaMigrator}. */
export interface SchemaMigratorProps {
  /** The VPC. */
  readonly vpc: ec2.IVpc;
  /** Isolated subnets of the function. */
  readonly subnets: ec2.SubnetSelection;
  /** Security group of the function (database port and endpoints only). */
  readonly securityGroup: ec2.ISecurityGroup;
  /** Master credentials of the database (attached to the instance). */
  readonly masterSecret: secretsmanager.ISecret;
  /** Customer key of the master secret and the log group. */
  readonly encryptionKey: kms.IKey;
  /** Login roles the applications connect as. */
  readonly appUsers: string[];
  /** Read-only login roles to ensure (the nightly backup). */
  readonly readOnlyUsers: string[];
  /** Login roles of the invalidation outbox drainer (its table only). */
  readonly outboxUsers: string[];
  /**
   * Login roles of break-glass operators: content data rights, every statement
   * logged by pgaudit, short timeouts. The migrator only creates them; who may
   * connect as them is granted elsewhere (the break-glass access path).
   * @default - none
   */
  readonly operatorUsers?: string[];
  /** Log retention in days. */
  readonly logRetentionDays: number;
}

/**
 * Applies the content schema's migrations on deploy (SDLC-CHANGE): a CDK trigger
 * runs the function whenever its code changes, after the database exists, and fails
 * the deployment if a migration fails (each runs in one transaction, so a failed
 * one leaves the schema as it was). It also ensures the IAM-only application roles.
 */
export class SchemaMigrator extends Construct {
  /** The migration function. */
  readonly function: SecureFunction;

  constructor(scope: Construct, id: string, props: SchemaMigratorProps) {
    super(scope, id);
    this.function = new SecureFunction(this, 'Function', {
      entry: 'schema-migrator/handler.ts',
      description: 'Bulwark schema migrations (run on deploy)',
      vpc: props.vpc,
      subnets: props.subnets,
      securityGroup: props.securityGroup,
      logKey: props.encryptionKey,
      logRetentionDays: props.logRetentionDays,
      memoryMiB: 256,
      timeout: Duration.minutes(5),
      reservedConcurrency: 1,
      environment: {
        DB_SECRET_ARN: props.masterSecret.secretArn,
        DB_NAME: DATABASE_NAME,
        APP_DB_USERS: props.appUsers.join(','),
        READ_ONLY_DB_USERS: props.readOnlyUsers.join(','),
        OUTBOX_DB_USERS: props.outboxUsers.join(','),
        OPERATOR_DB_USERS: (props.operatorUsers ?? []).join(','),
      },
    });
    acknowledge(this.function, 'synchronousInvocation');
    this.function.allowSecretRead(props.masterSecret.secretArn, props.encryptionKey);
    new triggers.Trigger(this, 'Trigger', {
      handler: this.function,
      executeOnHandlerChange: true,
      timeout: Duration.minutes(5),
    });
    const provider = Stack.of(this).node.tryFindChild(
      'AWSCDK.TriggerCustomResourceProviderCustomResourceProvider',
    );
    if (provider) acknowledge(provider, 'cdkProviderOutsideVpc');
  }
}
