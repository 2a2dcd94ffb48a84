import { Stack, type StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { StageConfig } from '../config';
import { ContentApi } from '../constructs/content-api';
import { API_DB_USER } from '../constructs/database';
import { InvalidationQueue } from '../constructs/invalidation-queue';
import { SchemaMigrator } from '../constructs/schema-migrator';
import type { DataStack } from './data-stack';
import type { NetworkStack } from './network-stack';
import type { SecurityStack } from './security-stack';

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
 * The stateless application tier: the content API, its CDN invalidation queue and
 * the schema migrations run on deploy. Holds no data of its own.
 */
export class AppStack extends Stack {
  /** The content API. */
  readonly contentApi: ContentApi;
  /** CDN invalidation requests. */
  readonly invalidationQueue: InvalidationQueue;

  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, props);
    const { config: cfg, network, data, security } = props;
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
    });
    // The API may only serve once its schema and database role exist.
    this.contentApi.node.addDependency(migrator);
    security.alertTopic.alarmOnDeadLetters(
      this,
      'InvalidationDeadLettersAlarm',
      this.invalidationQueue.deadLetterQueue,
    );
  }
}
