import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as rds from 'aws-cdk-lib/aws-rds';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  METRICS_NAMESPACE,
  SERVER_ERRORS_METRIC,
  SERVICE_NAME,
} from '../../lambda/content-api/telemetry';
import { acknowledge } from '../compliance/acknowledgements';
import { API_DB_USER, proxyConnectionEnv } from './database';
import { grantQueueSend } from './queue-access';
import { SecureFunction } from './secure-function';
import { topicAlarm } from './topic-alarm';

/** Properties of a {@link ContentApi}. */
export interface ContentApiProps {
  /** The VPC. */
  readonly vpc: ec2.IVpc;
  /** Isolated subnets of the function. */
  readonly subnets: ec2.SubnetSelection;
  /** Security group of the function. */
  readonly securityGroup: ec2.ISecurityGroup;
  /** RDS Proxy in front of the primary. */
  readonly proxy: rds.IDatabaseProxy;
  /** Secret holding the pepper of key hashes. */
  readonly pepper: secretsmanager.ISecret;
  /** Queue of CDN invalidations. */
  readonly invalidationQueue: sqs.IQueue;
  /** Topic of the function's alarms. */
  readonly alertTopic: sns.ITopic;
  /** Customer key of the log group, the pepper secret and the queue. */
  readonly encryptionKey: kms.IKey;
  /** Log retention in days. */
  readonly logRetentionDays: number;
  /** Memory in MiB. */
  readonly memoryMiB: number;
  /** Reserved concurrency. */
  readonly reservedConcurrency: number;
  /**
   * How long a rotated key keeps working, in seconds.
   * @default 86400 (24 hours)
   */
  readonly keyRotationGraceSeconds?: number;
  /**
   * People's sign-in: access tokens of this pool and client are accepted besides
   * keys, verified offline against `jwks`.
   * @default - keys only
   */
  readonly people?: ContentApiPeople;
  /**
   * Who may manage keys: any admin, or only people with the admin role.
   * @default 'admins'
   */
  readonly keyManagement?: 'admins' | 'people';
}

/** The user pool whose people the API accepts. */
export interface ContentApiPeople {
  readonly userPoolId: string;
  /** The CMS front end's app client. */
  readonly clientId: string;
  /** The pool's public JWKS (JSON). */
  readonly jwks: string;
}

/**
 * The content API Lambda (API-KEYS, API-AUTHZ, API-ROLES, IAM-SSO, MON-AUDIT): in the App
 * subnets, reaching only the proxy and the VPC endpoints; it may connect to the
 * database as one user, send to one queue and read one secret. Alarms on errors,
 * throttles and p99 latency page on-call.
 */
export class ContentApi extends Construct {
  /** The function (an ALB target). */
  readonly function: SecureFunction;
  /** The alarms, by name. */
  readonly alarms: Record<'Errors' | 'ServerErrors' | 'Throttles' | 'LatencyP99', cloudwatch.Alarm>;

  constructor(scope: Construct, id: string, props: ContentApiProps) {
    super(scope, id);
    const timeout = Duration.seconds(10);
    this.function = new SecureFunction(this, 'Function', {
      entry: 'content-api/handler.ts',
      description: 'Bulwark content API (behind the ALB)',
      vpc: props.vpc,
      subnets: props.subnets,
      securityGroup: props.securityGroup,
      logKey: props.encryptionKey,
      logRetentionDays: props.logRetentionDays,
      memoryMiB: props.memoryMiB,
      timeout,
      reservedConcurrency: props.reservedConcurrency,
      environment: {
        ...proxyConnectionEnv(props.proxy, API_DB_USER),
        API_KEY_PEPPER_SECRET_ARN: props.pepper.secretArn,
        INVALIDATION_QUEUE_URL: props.invalidationQueue.queueUrl,
        KEY_ROTATION_GRACE_SECONDS: String(props.keyRotationGraceSeconds ?? 86_400),
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        KEY_MANAGEMENT: props.keyManagement ?? 'admins',
        ...(props.people && {
          PEOPLE_USER_POOL_ID: props.people.userPoolId,
          PEOPLE_CLIENT_ID: props.people.clientId,
          PEOPLE_JWKS: props.people.jwks,
        }),
      },
    });
    acknowledge(this.function, 'synchronousInvocation');
    props.proxy.grantConnect(this.function, API_DB_USER);
    this.function.allowSecretRead(props.pepper.secretArn, props.encryptionKey);
    grantQueueSend(this.function, props.invalidationQueue, { includeSend: true });

    const alarm = (
      name: string,
      metric: cloudwatch.IMetric,
      threshold: number,
      description: string,
    ) => topicAlarm(this, `${name}Alarm`, props.alertTopic, { metric, threshold, description });
    const period = Duration.minutes(5);
    this.alarms = {
      Errors: alarm(
        'Errors',
        this.function.metricErrors({ period }),
        5,
        'Content API invocations failed',
      ),
      ServerErrors: alarm(
        'ServerErrors',
        new cloudwatch.Metric({
          namespace: METRICS_NAMESPACE,
          metricName: SERVER_ERRORS_METRIC,
          dimensionsMap: { service: SERVICE_NAME },
          statistic: cloudwatch.Stats.SUM,
          period,
        }),
        1,
        'Content API answered 5xx (internal errors; see the correlation id in its logs)',
      ),
      Throttles: alarm(
        'Throttles',
        this.function.metricThrottles({ period }),
        1,
        'Content API throttled: reserved concurrency reached',
      ),
      LatencyP99: alarm(
        'LatencyP99',
        this.function.metricDuration({ period, statistic: 'p99' }),
        timeout.toMilliseconds() * 0.8,
        'Content API p99 duration above 80% of its timeout',
      ),
    };
  }
}
