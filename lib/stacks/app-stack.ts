import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { type StageConfig, physicalNames } from '../config';
import { LOAD_BALANCER_LOG_PREFIX } from '../constructs/access-log-bucket';
import { CdnInvalidator } from '../constructs/cdn-invalidator';
import { ContentApi } from '../constructs/content-api';
import {
  API_DB_USER,
  BACKUP_DB_USER,
  OPERATOR_DB_USER,
  OUTBOX_DB_USER,
} from '../constructs/database';
import { InvalidationOutbox } from '../constructs/invalidation-outbox';
import { NightlyBackup } from '../constructs/nightly-backup';
import { InvalidationQueue } from '../constructs/invalidation-queue';
import { OriginLoadBalancer } from '../constructs/origin-load-balancer';
import { SchemaMigrator } from '../constructs/schema-migrator';
import { ShieldProtection } from '../constructs/shield-protection';
import { stageHostedZone } from '../constructs/stage-hosted-zone';
import { WebFirewall } from '../constructs/web-firewall';
import { OUTPUT_KEYS } from '../stage-layout';
import type { DataStack } from './data-stack';
import type { NetworkStack } from './network-stack';
import type { SecurityStack } from './security-stack';

const OUTPUTS = OUTPUT_KEYS.App;

/** Properties of the {@link AppStack}. */
export interface AppStackProps extends StackProps {
  /** Validated stage configuration. */
  readonly config: StageConfig;
  /** Network, security groups. */
  readonly network: NetworkStack;
  /** Database, proxy, keys, pepper. */
  readonly data: DataStack;
  /** Alert topic. */
  readonly security: SecurityStack;
}

/**
 * The stateless application tier: the internal load balancer (CloudFront's VPC
 * origin) with the regional web ACL, the content API, its CDN invalidation queue,
 * invalidator and outbox drainer, the schema migrations run on deploy, and Shield Advanced for the
 * load balancer when enabled. Holds no data of its own.
 */
export class AppStack extends Stack {
  /** The content API. */
  readonly contentApi: ContentApi;
  /** CDN invalidation requests. */
  readonly invalidationQueue: InvalidationQueue;
  /** The regional (second-layer) web application firewall. */
  readonly firewall: WebFirewall;
  /** The content API's load balancer. */
  readonly loadBalancer: OriginLoadBalancer;
  /** Name CloudFront connects to on the load balancer (and its certificate's name). */
  readonly originDomainName: string;
  /** The nightly logical export. */
  readonly backup: NightlyBackup;
  /** The drainer of CDN invalidations that writes could not queue at once. */
  readonly outbox: InvalidationOutbox;

  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, { ...props, crossRegionReferences: true });
    const { config: cfg, network, data, security } = props;
    this.originDomainName = `origin.${cfg.domainName}`;
    const vpc = network.network.vpc;
    const subnets = network.network.appSubnets;
    // Referenced by ARN: grants go to this stack's roles only and never edit the Data
    // stack's key policy (which would tie the stacks in a cycle).
    const dataKey = kms.Key.fromKeyArn(this, 'DataKey', data.dataKey.keyArn);

    const migrator = new SchemaMigrator(this, 'SchemaMigrator', {
      vpc,
      subnets,
      securityGroup: network.securityGroups.migration,
      masterSecret: data.database.secret,
      encryptionKey: dataKey,
      appUsers: [API_DB_USER],
      readOnlyUsers: [BACKUP_DB_USER],
      outboxUsers: [OUTBOX_DB_USER],
      operatorUsers: [OPERATOR_DB_USER],
      logRetentionDays: cfg.logRetentionDays,
    });
    this.invalidationQueue = new InvalidationQueue(this, 'InvalidationQueue', {
      encryptionKey: dataKey,
    });
    this.contentApi = new ContentApi(this, 'ContentApi', {
      vpc,
      subnets,
      securityGroup: network.securityGroups.api,
      proxy: data.database.proxy,
      pepper: data.apiKeyPepper.secret,
      invalidationQueue: this.invalidationQueue.queue,
      alertTopic: security.alertTopic.topic,
      encryptionKey: dataKey,
      logRetentionDays: cfg.logRetentionDays,
      memoryMiB: cfg.api.memoryMiB,
      reservedConcurrency: cfg.api.reservedConcurrency,
      people: {
        userPoolId: security.people.userPool.userPoolId,
        clientId: security.people.client.userPoolClientId,
        jwks: security.people.jwks,
      },
      keyManagement: cfg.people.keyManagement,
    });
    // The API may only serve once its schema and database role exist.
    this.contentApi.node.addDependency(migrator);
    this.outbox = new InvalidationOutbox(this, 'InvalidationOutbox', {
      vpc,
      subnets,
      securityGroup: network.securityGroups.api,
      proxy: data.database.proxy,
      invalidationQueue: this.invalidationQueue.queue,
      alertTopic: security.alertTopic.topic,
      encryptionKey: dataKey,
      logRetentionDays: cfg.logRetentionDays,
    });
    this.outbox.node.addDependency(migrator);
    security.alertTopic.alarmOnDeadLetters(
      this,
      'InvalidationDeadLettersAlarm',
      this.invalidationQueue.deadLetterQueue,
    );

    const alertTopic = security.alertTopic.topic;
    this.firewall = new WebFirewall(this, 'Firewall', {
      stageName: cfg.name,
      waf: cfg.edge.waf,
      trustedCidrs: cfg.trustedCidrs,
      logRetentionDays: cfg.logRetentionDays,
      layer: 'origin',
      logKey: dataKey,
      alertTopic: alertTopic,
    });
    new CfnOutput(this, OUTPUTS.webAclArn, { value: this.firewall.webAcl.attrArn });
    new CfnOutput(this, OUTPUTS.blockedV4Arn, { value: this.firewall.ipSets.blockedV4.attrArn });
    new CfnOutput(this, OUTPUTS.blockedV6Arn, { value: this.firewall.ipSets.blockedV6.attrArn });

    const zone = stageHostedZone(this, cfg.edge.hostedZone);
    const originCertificate = new acm.Certificate(this, 'OriginCertificate', {
      domainName: this.originDomainName,
      validation: acm.CertificateValidation.fromDns(zone),
    });
    this.loadBalancer = new OriginLoadBalancer(this, 'LoadBalancer', {
      vpc,
      subnets,
      securityGroup: network.securityGroups.alb,
      certificate: originCertificate,
      apiFunction: this.contentApi.function,
      accessLogs: {
        bucket: data.accessLogBucket.target(this, 'AccessLogs'),
        prefix: LOAD_BALANCER_LOG_PREFIX,
      },
      webAclArn: this.firewall.webAcl.attrArn,
      deletionProtection: cfg.name === 'production',
      alertTopic,
    });

    new CdnInvalidator(this, 'CdnInvalidator', {
      queue: this.invalidationQueue.queue,
      distributionIdParameter: physicalNames(cfg).distributionIdParameter,
      logKey: dataKey,
      logRetentionDays: cfg.logRetentionDays,
    });

    this.backup = new NightlyBackup(this, 'NightlyBackup', {
      stageName: cfg.name,
      backup: cfg.backup,
      vpc,
      subnets,
      securityGroup: network.securityGroups.backup,
      proxy: data.database.proxy,
      bucket: data.backupBucket,
      backupKey: kms.Key.fromKeyArn(this, 'BackupKey', data.backupKey.keyArn),
      signingKey: kms.Key.fromKeyArn(this, 'BackupSigningKey', data.backupSigningKey.keyArn),
      signerRoleName: physicalNames(cfg).backupRole,
      logKey: dataKey,
      logRetentionDays: cfg.logRetentionDays,
      alertTopic,
    });
    const backup = this.backup;
    // Backups read the schema and the backup role that the migrator creates.
    backup.node.addDependency(migrator);

    if (cfg.shield.advanced) {
      new ShieldProtection(this, 'LoadBalancerShield', {
        name: `bulwark-${cfg.name}-alb`,
        resourceArn: this.loadBalancer.loadBalancer.loadBalancerArn,
        alertTopic,
      });
    }

    new CfnOutput(this, OUTPUTS.loadBalancerArn, {
      value: this.loadBalancer.loadBalancer.loadBalancerArn,
    });
    if (backup.function) {
      new CfnOutput(this, OUTPUTS.backupFunctionName, { value: backup.function.functionName });
    }
    if (backup.task) {
      new CfnOutput(this, OUTPUTS.backupClusterArn, {
        value: backup.task.cluster.clusterArn,
        description: 'Cluster of the nightly export task',
      });
      new CfnOutput(this, OUTPUTS.backupTaskDefinitionArn, {
        value: backup.task.taskDefinition.taskDefinitionArn,
        description: 'Task definition of the nightly export (aws ecs run-task starts one now)',
      });
    }
  }
}
