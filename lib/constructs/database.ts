import { CfnResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance/acknowledgements';
import { EncryptedLogGroup } from './encrypted-log-group';

/** PostgreSQL engine version; pinned so that a minor upgrade is a reviewed change. */
export const POSTGRES_VERSION = rds.PostgresEngineVersion.VER_18_3;

/** Daily backup window of the primary (UTC), before the nightly export; a promoted replica takes it too. */
export const PREFERRED_BACKUP_WINDOW = '01:00-01:30';

/** PostgreSQL port of the instances and the proxy. */
export const DATABASE_PORT = 5432;

/** Database user the content API connects as (IAM authentication through the proxy). */
export const API_DB_USER = 'bulwark_api';
/** Read-only database user of the nightly backup (IAM auth through the proxy). */
export const BACKUP_DB_USER = 'bulwark_backup';
/** Database user of the CDN invalidation outbox drainer: the outbox table only. */
export const OUTBOX_DB_USER = 'bulwark_outbox';
/**
 * Database user of an operator's break-glass session: no standing access (only the
 * break-glass access instance may connect as it), every statement logged by pgaudit.
 */
export const OPERATOR_DB_USER = 'bulwark_operator';

/** Name of the content database on the instance. */
export const DATABASE_NAME = 'bulwark';

/**
 * The environment by which a function connects through the proxy as `user` with an
 * IAM token (what `lambda/shared/db.ts` reads). The caller also grants the connect.
 */
export const proxyConnectionEnv = (proxy: rds.IDatabaseProxy, user: string) => ({
  DB_PROXY_ENDPOINT: proxy.endpoint,
  DB_PORT: String(DATABASE_PORT),
  DB_NAME: DATABASE_NAME,
  DB_USER: user,
});

/**
 * pgaudit in the parameter group (ACC-DATA, MON-AUDIT). The library is loaded at
 * start (a static parameter: an existing instance applies it at its next reboot);
 * cluster-wide, only DDL and role changes are logged, which is cheap. The operator
 * role adds its own session logging of every statement (`ALTER ROLE ... SET`, in
 * `lambda/shared/content-schema/migrate.ts`). Audit lines are written at level LOG,
 * into the `postgresql` log that each instance exports.
 *
 * `pgaudit.log_catalog` is off: a statement whose relations are all in `pg_catalog`
 * (psql's `\d` and tab completion, which an operator's session is full of) is not
 * logged. No customer data lives there, and any statement that also touches a
 * content table is still logged.
 */
export const PGAUDIT_PARAMETERS = {
  shared_preload_libraries: 'pg_stat_statements,pgaudit',
  'pgaudit.log': 'ddl,role',
  'pgaudit.log_catalog': '0',
  'pgaudit.log_level': 'log',
} as const;

/** Log types each instance exports to CloudWatch Logs. */
export const DATABASE_LOG_EXPORTS = ['postgresql', 'upgrade'] as const;

/**
 * The parameters of every instance's parameter group, the primary's region's and the
 * recovery region's: TLS only (1.2 or later), SCRAM passwords, connection logging,
 * slow statements and pgaudit.
 */
export const databaseParameters = (): Record<string, string> => ({
  'rds.force_ssl': '1',
  ssl_min_protocol_version: 'TLSv1.2',
  password_encryption: 'scram-sha-256',
  log_connections: '1',
  log_disconnections: '1',
  log_min_duration_statement: '1000',
  ...PGAUDIT_PARAMETERS,
});

/** The role RDS enhanced monitoring publishes an instance's OS metrics with (AWS's managed policy). */
export function enhancedMonitoringRole(scope: Construct): iam.Role {
  const role = new iam.Role(scope, 'MonitoringRole', {
    assumedBy: new iam.ServicePrincipal('monitoring.rds.amazonaws.com'),
    managedPolicies: [
      iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonRDSEnhancedMonitoringRole'),
    ],
  });
  acknowledge(role, 'rdsMonitoringManagedPolicy');
  return role;
}

/** What every instance of the content database is given: its place, firewall, parameters and key. */
export interface InstanceSettingsOptions {
  readonly instanceClass: string;
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  readonly securityGroup: ec2.ISecurityGroup;
  readonly parameterGroup: rds.IParameterGroup;
  /** Key of Performance Insights (storage is the caller's: a same-region replica inherits it). */
  readonly encryptionKey: kms.IKey;
  readonly monitoringRole: iam.IRole;
  readonly port: number;
}

/**
 * The settings every instance of the content database shares, the primary, its
 * replicas and the recovery-region replica alike: gp3, Performance Insights with the
 * customer key, enhanced monitoring, both logs exported, IAM authentication, minor
 * upgrades, private, the RSA 2048 CA.
 */
export function instanceSettings(o: InstanceSettingsOptions) {
  return {
    instanceType: new ec2.InstanceType(o.instanceClass),
    vpc: o.vpc,
    vpcSubnets: o.subnets,
    securityGroups: [o.securityGroup],
    parameterGroup: o.parameterGroup,
    storageType: rds.StorageType.GP3,
    enablePerformanceInsights: true,
    performanceInsightEncryptionKey: o.encryptionKey,
    performanceInsightRetention: rds.PerformanceInsightRetention.DEFAULT,
    monitoringInterval: Duration.seconds(30),
    monitoringRole: o.monitoringRole,
    cloudwatchLogsExports: [...DATABASE_LOG_EXPORTS],
    iamAuthentication: true,
    autoMinorVersionUpgrade: true,
    publiclyAccessible: false,
    caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1,
    port: o.port,
  };
}

/**
 * The encrypted log groups an instance exports to (`<owner>PostgresLogs`,
 * `<owner>UpgradeLogs` in `scope`), named as RDS names them.
 */
export function instanceLogGroups(
  scope: Construct,
  owner: string,
  identifier: string,
  encryptionKey: kms.IKey,
  retentionDays: number,
): EncryptedLogGroup[] {
  return DATABASE_LOG_EXPORTS.map(
    (type) =>
      new EncryptedLogGroup(
        scope,
        `${owner}${type === 'postgresql' ? 'Postgres' : 'Upgrade'}Logs`,
        {
          logGroupName: `/aws/rds/instance/${identifier}/${type}`,
          encryptionKey,
          retentionDays,
        },
      ),
  );
}

/**
 * Makes the instance wait for its log groups (in place, with key and retention); only
 * the instance itself waits: its proxy and secret attachment need not.
 */
export function afterLogGroups(instance: Construct, logs: readonly EncryptedLogGroup[]): void {
  for (const g of logs) {
    (instance.node.defaultChild as CfnResource).addResourceDependency(
      g.node.defaultChild as CfnResource,
    );
  }
}

/** Properties of a {@link Database}. */
export interface DatabaseProps {
  /** The VPC. */
  readonly vpc: ec2.IVpc;
  /** Isolated subnets of the data tier. */
  readonly subnets: ec2.SubnetSelection;
  /** Subnets of the rotation Lambda. */
  readonly rotationSubnets: ec2.SubnetSelection;
  /** Availability zones, in order; replica `n` is placed in zone `n mod count`. */
  readonly availabilityZones: string[];
  /** Security groups of the instances, the proxy and the rotation Lambda. */
  readonly securityGroups: {
    readonly database: ec2.ISecurityGroup;
    readonly proxy: ec2.ISecurityGroup;
    readonly rotation: ec2.ISecurityGroup;
  };
  /** Secrets Manager interface endpoint the rotation Lambda calls. */
  readonly secretsManagerEndpoint: ec2.IInterfaceVpcEndpoint;
  /** Customer key for storage, Performance Insights, the secret and database logs. */
  readonly encryptionKey: kms.IKey;
  /** Instance class, e.g. `r7g.large`. */
  readonly instanceClass: string;
  /** Synchronous standby in another AZ. */
  readonly multiAz: boolean;
  /** Number of in-region read replicas. */
  readonly readReplicas: number;
  /** Initial storage (GiB); autoscaling may grow it to four times this. */
  readonly allocatedStorageGiB: number;
  /** Automated backup retention in days (≥ 30). */
  readonly backupRetentionDays: number;
  /** Retention of the exported database logs in days. */
  readonly logRetentionDays: number;
  /** Instance identifier of the primary. */
  readonly instanceIdentifier: string;
  /** Instance identifier of replica `n` (1-based). */
  readonly replicaIdentifier: (n: number) => string;
  /**
   * Database users that connect through the proxy; the proxy signs in as each of
   * them with IAM (end-to-end IAM authentication).
   * @default - none
   */
  readonly proxyUsers?: string[];
  /**
   * PostgreSQL port.
   * @default DATABASE_PORT
   */
  readonly port?: number;
}

/**
 * The content database (BKP-DB, ENC-REST, ENC-TRANSIT, ACC-DATA, DR-REPL):
 * RDS PostgreSQL encrypted with a customer key, TLS forced by the parameter group,
 * IAM authentication, deletion protection and a final snapshot on removal,
 * automated backups for the configured days, Multi-AZ and read replicas per
 * stage, Performance Insights and enhanced monitoring, connection logging
 * exported to encrypted log groups; an RDS Proxy that requires TLS and IAM auth;
 * the master secret in Secrets Manager, encrypted and rotated every 30 days.
 */
export class Database extends Construct {
  /** The primary instance (writes). */
  readonly instance: rds.DatabaseInstance;
  /** Read replicas (reads), possibly none. */
  readonly replicas: rds.DatabaseInstanceReadReplica[];
  /** RDS Proxy in front of the primary. */
  readonly proxy: rds.DatabaseProxy;
  /** Master credentials. */
  readonly secret: rds.DatabaseSecret;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    const engine = rds.DatabaseInstanceEngine.postgres({ version: POSTGRES_VERSION });
    const port = props.port ?? DATABASE_PORT;
    // The firewall is owned by WorkloadSecurityGroups; RDS helpers must not add rules.
    const fixed = (name: string, sg: ec2.ISecurityGroup) =>
      ec2.SecurityGroup.fromSecurityGroupId(this, name, sg.securityGroupId, {
        mutable: false,
        allowAllOutbound: false,
      });
    const groups = {
      database: fixed('DatabaseSecurityGroup', props.securityGroups.database),
      proxy: fixed('ProxySecurityGroup', props.securityGroups.proxy),
      rotation: fixed('RotationSecurityGroup', props.securityGroups.rotation),
    };

    const parameterGroup = new rds.ParameterGroup(this, 'Parameters', {
      engine,
      description: 'Bulwark PostgreSQL: TLS only, connection logging',
      parameters: databaseParameters(),
    });

    const monitoringRole = enhancedMonitoringRole(this);

    this.secret = new rds.DatabaseSecret(this, 'Secret', {
      username: 'bulwark_admin',
      encryptionKey: props.encryptionKey,
    });
    // The secret opens the final snapshot; it outlives the stack like the snapshot does.
    this.secret.applyRemovalPolicy(RemovalPolicy.RETAIN);

    const logGroups = (identifier: string, owner: string) =>
      instanceLogGroups(this, owner, identifier, props.encryptionKey, props.logRetentionDays);

    const common = instanceSettings({
      instanceClass: props.instanceClass,
      vpc: props.vpc,
      subnets: props.subnets,
      securityGroup: groups.database,
      parameterGroup,
      encryptionKey: props.encryptionKey,
      monitoringRole,
      port,
    });

    const primaryLogs = logGroups(props.instanceIdentifier, 'Primary');
    this.instance = new rds.DatabaseInstance(this, 'Primary', {
      ...common,
      engine,
      databaseName: DATABASE_NAME,
      storageEncryptionKey: props.encryptionKey,
      instanceIdentifier: props.instanceIdentifier,
      credentials: rds.Credentials.fromSecret(this.secret),
      multiAz: props.multiAz,
      allocatedStorage: props.allocatedStorageGiB,
      maxAllocatedStorage: props.allocatedStorageGiB * 4,
      backupRetention: Duration.days(props.backupRetentionDays),
      preferredBackupWindow: PREFERRED_BACKUP_WINDOW,
      preferredMaintenanceWindow: 'sun:03:00-sun:04:00',
      copyTagsToSnapshot: true,
      deleteAutomatedBackups: false,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.SNAPSHOT,
    });
    afterLogGroups(this.instance, primaryLogs);
    acknowledge(this.instance, 'rdsDefaultPort');
    acknowledge(this.instance, 'rdsNotInAwsBackupPlan');
    if (!props.multiAz) {
      acknowledge(this.instance, 'rdsSingleAzStaging');
    }

    this.replicas = Array.from({ length: props.readReplicas }, (_, i) => {
      const n = i + 1;
      const identifier = props.replicaIdentifier(n);
      const logs = logGroups(identifier, `Replica${n}`);
      const replica = new rds.DatabaseInstanceReadReplica(this, `Replica${n}`, {
        ...common,
        sourceDatabaseInstance: this.instance,
        instanceIdentifier: identifier,
        availabilityZone: props.availabilityZones[n % props.availabilityZones.length],
        deletionProtection: false,
        removalPolicy: RemovalPolicy.DESTROY,
      });
      afterLogGroups(replica, logs);
      acknowledge(replica, 'rdsReplicaDefaultPort');
      acknowledge(replica, 'rdsReplicaSingleAz');
      acknowledge(replica, 'rdsReplicaNoDeletionProtection');
      acknowledge(replica, 'rdsReplicaEncryptionInherited');
      acknowledge(replica, 'rdsNotInAwsBackupPlan');
      return replica;
    });

    this.instance.addRotationSingleUser({
      automaticallyAfter: Duration.days(30),
      securityGroup: groups.rotation,
      vpcSubnets: props.rotationSubnets,
      endpoint: props.secretsManagerEndpoint,
    });

    // End-to-end IAM authentication: clients and the proxy both use IAM tokens, so
    // no database password is stored for application users.
    this.proxy = this.instance.addProxy('Proxy', {
      defaultAuthScheme: rds.DefaultAuthScheme.IAM_AUTH,
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [groups.proxy],
      requireTLS: true,
      debugLogging: false,
      idleClientTimeout: Duration.minutes(30),
    });
    const { region, account, partition } = Stack.of(this);
    const proxyRole = this.proxy.node.findChild('IAMRole') as iam.Role;
    for (const user of props.proxyUsers ?? []) {
      proxyRole.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['rds-db:connect'],
          resources: [
            `arn:${partition}:rds-db:${region}:${account}:dbuser:${this.instance.instanceResourceId}/${user}`,
          ],
        }),
      );
    }
    if (props.proxyUsers?.length) acknowledge(proxyRole, 'cdkGeneratedRolePolicy');
  }
}
