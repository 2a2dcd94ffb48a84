import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** One reviewed exception to nag rules, applied to one construct at a time. */
export interface Acknowledgement {
  /**
   * The finding ids it covers: one rule (or one `Rule[finding]`) per entry, one entry
   * per pack that reports the same gap. `{name}` placeholders are filled from the
   * values given to {@link acknowledge}.
   */
  readonly findings: readonly string[];
  /** Why the gap is acceptable, or how it is covered, in words an auditor can check. */
  readonly reason: string;
  /**
   * The finding exists only for a static reading of the template (a value imported
   * from another stack that the rule cannot resolve); the deployed resource has the
   * property. Control Tower's proactive controls, which see resolved values when they
   * run as CloudFormation hooks, do not reject it. Findings without this flag are
   * real gaps that such a control rejects at deploy time whatever the acknowledgement.
   */
  readonly staticReadingOnly?: true;
}

const DEFAULT_PORT_REASON =
  'Port obscurity adds no control here: instances are in isolated subnets without internet routes, the security group admits only the proxy, rotation and migration groups, and TLS plus IAM auth are required.';

const IMPORTED_KEY_REASON =
  'Encrypted with the Data stack customer key, referenced through a cross-stack export (Fn::ImportValue) that the static rule cannot resolve; test/stacks/app-stack.test.ts asserts the key on every log group and queue.';

const packs = (rule: string, ...more: string[]) =>
  [`NIST.800.53.R5-${rule}`, `PCI.DSS.321-${rule}`, `HIPAA.Security-${rule}`, ...more] as const;

/**
 * What the packs report on a custom-resource function that only CloudFormation
 * invokes, at deploy time, and waits for.
 */
const DEPLOY_TIME_FUNCTION_FINDINGS = [
  'NIST.800.53.R5-LambdaConcurrency',
  'HIPAA.Security-LambdaConcurrency',
  'NIST.800.53.R5-LambdaDLQ',
  'HIPAA.Security-LambdaDLQ',
  'Serverless-LambdaDLQ',
  ...packs('LambdaInsideVPC'),
  'cdk-validator-cfnguard::lambda_inside_vpc_check',
  'Serverless-LambdaTracing',
] as const;

/**
 * Every nag acknowledgement in Bulwark. Constructs apply them to the exact resource
 * with {@link acknowledge}; nothing is acknowledged on a stack or on the app.
 */
export const ACKNOWLEDGEMENTS = {
  accessLogBucketSseS3: {
    findings: [
      ...packs('S3DefaultEncryptionKMS'),
      'cdk-validator-cfnguard::s3_bucket_default_encryption_kms_check',
    ],
    reason:
      'S3 server access log delivery only writes to buckets encrypted with SSE-S3 (AES-256); SSE-KMS targets are not supported by the logging service. The bucket holds request metadata, no content.',
  },
  accessLogBucketNotReplicated: {
    findings: packs('S3BucketReplicationEnabled'),
    reason:
      'Access logs are operational evidence kept for the audit retention period in this region; the audit trail of record is CloudTrail. Replicating logs about logs adds cost and no control.',
  },
  assetsBucketNotReplicated: {
    findings: packs('S3BucketReplicationEnabled'),
    reason:
      'Assets are versioned (old versions kept for the backup retention period) and stored in S3 across at least three AZs; the cross-region copy (BKP-REMOTE) is scoped to the backup vault by the control catalogue.',
  },
  replicaBucketIsDestination: {
    findings: packs('S3BucketReplicationEnabled'),
    reason:
      'This bucket is the cross-region replication destination of the backup vault (BKP-REMOTE); replicating the replica again would add a third region outside the design.',
  },
  auditTrailBucketNotReplicated: {
    findings: packs('S3BucketReplicationEnabled'),
    reason:
      'CloudTrail files are integrity-validated (digest files) and every event is also delivered to the encrypted CloudWatch Logs group with the same retention, which is the second copy.',
  },
  rdsReplicaDefaultPort: {
    findings: ['AwsSolutions-RDS11'],
    reason: DEFAULT_PORT_REASON,
  },
  rdsDefaultPort: {
    findings: ['AwsSolutions-RDS11', 'cdk-validator-cfnguard::rds_instance_no_default_ports_check'],
    reason: DEFAULT_PORT_REASON,
  },
  rdsSingleAzStaging: {
    findings: [
      'AwsSolutions-RDS3',
      'NIST.800.53.R5-RDSMultiAZSupport',
      'HIPAA.Security-RDSMultiAZSupport',
      'cdk-validator-cfnguard::rds_instance_multi_az_support_check',
    ],
    reason:
      'Staging is production downscaled (SDLC-STAGE): database.multiAz is false only in a stage config that opts out; production config sets it true and a test asserts MultiAZ there.',
  },
  drReplicaSingleAz: {
    findings: [
      'AwsSolutions-RDS3',
      'NIST.800.53.R5-RDSMultiAZSupport',
      'HIPAA.Security-RDSMultiAZSupport',
    ],
    reason:
      'The recovery-region replica is itself the redundant copy of the Multi-AZ primary, in a second region; a replica cannot be Multi-AZ before promotion, and npm run dr:promote makes the promoted instance Multi-AZ as the stage configures.',
  },
  rdsReplicaSingleAz: {
    findings: [
      'AwsSolutions-RDS3',
      'NIST.800.53.R5-RDSMultiAZSupport',
      'HIPAA.Security-RDSMultiAZSupport',
    ],
    reason:
      'Read replicas are placed in different AZs from each other and the primary; a failed replica is re-created from the primary and reads fall back to the primary. Availability of writes comes from the Multi-AZ primary.',
  },
  rdsReplicaNoDeletionProtection: {
    findings: [
      'AwsSolutions-RDS10',
      'NIST.800.53.R5-RDSInstanceDeletionProtectionEnabled',
      'HIPAA.Security-RDSInstanceDeletionProtectionEnabled',
    ],
    reason:
      'A read replica holds no data of its own (it is a copy of the deletion-protected primary); it must be removable when the stage lowers database.readReplicas.',
  },
  rdsReplicaEncryptionInherited: {
    findings: ['AwsSolutions-RDS2', ...packs('RDSStorageEncrypted')],
    reason:
      'A same-region read replica inherits storage encryption and the customer key from its encrypted source; CloudFormation rejects StorageEncrypted together with SourceDBInstanceIdentifier.',
  },
  drReplicaEncryptedWithItsKey: {
    findings: ['AwsSolutions-RDS2', ...packs('RDSStorageEncrypted')],
    reason:
      "The recovery-region replica is encrypted with that region's own customer key (KmsKeyId, which RDS requires for an encrypted cross-region replica); CloudFormation rejects StorageEncrypted together with SourceDBInstanceIdentifier. The catalogue judges KmsKeyId on the template and npm run verify checks StorageEncrypted and the key's region on the live instance.",
  },
  rdsNotInAwsBackupPlan: {
    findings: ['NIST.800.53.R5-RDSInBackupPlan', 'HIPAA.Security-RDSInBackupPlan'],
    reason:
      'Backups are RDS automated backups with point-in-time recovery for 30+ days (BKP-DB) plus nightly logical exports into an object-locked, cross-region-replicated vault (BKP-DAILY, BKP-REMOTE).',
  },
  blocklistTableRecoverable: {
    findings: ['NIST.800.53.R5-DynamoDBInBackupPlan', 'HIPAA.Security-DynamoDBInBackupPlan'],
    reason:
      'The blocklist table holds threat-response records (blocked addresses and their expiry), not customer data: point-in-time recovery keeps 35 days of it restorable, deletion protection and a RETAIN policy keep it, and the WAF IP sets hold the blocks themselves. An AWS Backup plan would add a second copy of an operational log.',
  },
  rdsMonitoringManagedPolicy: {
    findings: [
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole]',
    ],
    reason:
      'AmazonRDSEnhancedMonitoringRole is the AWS-maintained policy for the RDS monitoring service role; it only writes the RDSOSMetrics log group and follows AWS changes to the service.',
  },
  deliveryRoleInlinePolicy: {
    findings: packs('IAMNoInlinePolicy'),
    reason:
      'The role of the delivery pipeline has one inline policy that allows only sts:AssumeRole on the named CDK bootstrap roles of its stage; a standalone managed policy could be attached to other principals, which an inline one cannot.',
  },
  cdkGeneratedRolePolicy: {
    findings: packs('IAMNoInlinePolicy'),
    reason:
      'Policy generated by the CDK L2 construct for its one service role, scoped to the resources it names; a standalone managed policy would allow reuse by other principals, not less access.',
  },
  replicationReadsSourceObjects: {
    findings: ['AwsSolutions-IAM5[Resource::<{sourceBucket}.Arn>/*]'],
    reason:
      'S3 replication reads every object version of the one backup bucket; object keys are dated and unknown in advance. Actions are the five read-for-replication actions only.',
  },
  replicationWritesReplicaObjects: {
    findings: ['AwsSolutions-IAM5[Resource::{destinationBucketArn}/*]'],
    reason:
      'S3 replication writes replicas of any key into the one recovery bucket (ReplicateObject, ReplicateTags only; no deletes).',
  },
  replicationDestinationKeyByAlias: {
    findings: ['AwsSolutions-IAM5[Resource::{destinationKeyPattern}]'],
    reason:
      'The recovery key lives in another region and stack, so its id is unknown here; the statement is limited by kms:ResourceAliases to that key alias and by kms:ViaService to S3 in the recovery region.',
  },
  accessLogsPolicyInTargetBucket: {
    findings: ['Annotation::@aws-cdk/aws-s3:accessLogsPolicyNotAdded'],
    reason:
      'The target is the access-log bucket of the Data stack, whose own policy admits S3 log delivery from buckets of this account only (aws:SourceAccount); CDK cannot edit that policy from this stack, and need not.',
  },
  apiKeyPepperNotRotated: {
    findings: [
      'AwsSolutions-SMG4',
      'NIST.800.53.R5-SecretsManagerRotationEnabled',
      'HIPAA.Security-SecretsManagerRotationEnabled',
    ],
    reason:
      'The API key pepper keys the HMAC of every stored API key hash; rotating it would invalidate all keys at once. Keys rotate individually with a grace period (API-KEYS); the pepper is readable only by the content API role.',
  },
  lambdaBasicExecutionPolicy: {
    findings: [
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    ],
    reason:
      "AWS-maintained policy for writing the function's own logs. The function writes to its pre-created, KMS-encrypted log group with retention; it never creates log groups of its own.",
  },
  lambdaVpcAccessPolicy: {
    findings: [
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
    ],
    reason:
      'AWS-maintained policy for a VPC Lambda: creating and deleting the network interfaces of its isolated subnets, nothing else.',
  },
  cloudFrontApiOutsideVpc: {
    findings: [...packs('LambdaInsideVPC'), 'cdk-validator-cfnguard::lambda_inside_vpc_check'],
    reason:
      'The function only calls the CloudFront API (CreateInvalidation on one distribution), which has no VPC endpoint; it holds no database access and no secrets, and the isolated VPC has no route to the internet by design.',
  },
  wafApiOutsideVpc: {
    findings: [...packs('LambdaInsideVPC'), 'cdk-validator-cfnguard::lambda_inside_vpc_check'],
    reason:
      'Threat response calls AWS WAF in two regions (us-east-1 for CloudFront), SSM in both and SNS; WAF has no VPC endpoint for the CloudFront scope and the isolated VPC has no route to the internet by design. It holds no database access and no secrets; its role reaches only the four blocklist IP sets, their two parameters, its table and the alert topic.',
  },
  deployTimeCustomResource: {
    findings: ['NIST.800.53.R5-LambdaDLQ', 'HIPAA.Security-LambdaDLQ', 'Serverless-LambdaDLQ'],
    reason:
      'Invoked by CloudFormation once per deployment of its resource. The handler answers FAILED on every error, which fails and rolls back the deployment in front of the operator; a dead-letter queue would hold nothing to act on.',
  },
  jwksReaderOutsideVpc: {
    findings: [...packs('LambdaInsideVPC'), 'cdk-validator-cfnguard::lambda_inside_vpc_check'],
    reason:
      "Runs only at deploy time, for CloudFormation: it reads the user pool's public signing keys from Cognito's public HTTPS endpoint (no VPC endpoint serves it for a pool with a domain). Its role has no permissions beyond its own logs and traces.",
  },
  xrayNeedsWildcard: {
    findings: ['AwsSolutions-IAM5[Resource::*]'],
    reason:
      'xray:PutTraceSegments and xray:PutTelemetryRecords (active tracing) support no resource-level permissions; every other statement of the role names its resource.',
  },
  synchronousInvocation: {
    findings: ['NIST.800.53.R5-LambdaDLQ', 'HIPAA.Security-LambdaDLQ', 'Serverless-LambdaDLQ'],
    reason:
      'Invoked synchronously only (the ALB for the API, the CloudFormation trigger for migrations): the caller receives every failure, so an asynchronous dead-letter queue would never receive anything.',
  },
  scheduledOutboxDrain: {
    findings: ['NIST.800.53.R5-LambdaDLQ', 'HIPAA.Security-LambdaDLQ', 'Serverless-LambdaDLQ'],
    reason:
      'Invoked every minute by a schedule with an empty event, and never retried: its work lives in the outbox table, not in the event, so a failed run loses nothing and the next run takes it up. A dead-letter queue would only collect empty schedule events; failures page through the Errors alarm and the outbox-age alarm instead.',
  },
  scheduledOutboxDrainInvokeConfig: {
    findings: ['Serverless-LambdaAsyncFailureDestination'],
    reason:
      'The outbox drainer is invoked every minute with an empty event and never retried: a failed run loses nothing (its work stays in the outbox table for the next run), and failures page through its Errors and outbox-age alarms, so an on-failure destination would only collect empty schedule events.',
  },
  scheduledOutboxDrainSchedule: {
    findings: ['Serverless-EventBusDLQ'],
    reason:
      'This schedule sends an empty event every minute to the outbox drainer; an undelivered one carries no data and the next minute brings another, while the outbox-age alarm (missing data breaching) pages when no drain runs.',
  },
  crossRegionReferenceProvider: {
    findings: ['cdk-validator-cfnguard::lambda_inside_vpc_check'],
    reason:
      'CDK-owned provider of cross-region references (CloudFront needs its certificate and web ACL in us-east-1): it runs only during CloudFormation operations and reads or writes SSM parameters named /cdk/exports/<stack>/* in the other region, which the isolated VPC cannot reach; it touches no customer data.',
  },
  deployTimeLookup: {
    findings: DEPLOY_TIME_FUNCTION_FINDINGS,
    reason:
      "CDK-generated custom-resource function that CloudFormation invokes on deploy to read the ids of AWS-managed prefix lists (CloudFront origin-facing, the region's S3) with ec2:DescribeManagedPrefixLists, read-only. CloudFormation waits for its answer and fails the deployment on error, so a dead-letter queue, tracing or a concurrency cap add nothing; EC2 has no endpoint in the isolated VPC.",
  },
  deployTimeServiceLinkedRole: {
    findings: DEPLOY_TIME_FUNCTION_FINDINGS,
    reason:
      "CDK-generated custom-resource function that CloudFormation invokes once, when the Security stack is created, to create AWS Config's service-linked role if the account lacks it (iam:CreateServiceLinkedRole on that one role, for config.amazonaws.com only). CloudFormation waits for its answer and fails the deployment on error, so a dead-letter queue, tracing or a concurrency cap add nothing; it runs outside any VPC because IAM has no VPC endpoint, and it touches no customer data.",
  },
  configBucketNotReplicated: {
    findings: packs('S3BucketReplicationEnabled'),
    reason:
      'AWS Config history and snapshots are a derived record of resource configuration, re-created by AWS Config itself; the audit trail of record (CloudTrail) and the backups are the copies that must survive a region, and they do.',
  },
  describeNeedsWildcard: {
    findings: ['AwsSolutions-IAM5[Resource::*]'],
    reason:
      'ec2:DescribeManagedPrefixLists supports no resource-level permissions; it is the only action of this policy and is read-only.',
  },
  geoRestrictionByConfig: {
    findings: ['AwsSolutions-CFR1'],
    reason:
      'Geo restriction is a per-stage choice in cdk.json (edge.geoRestriction: none, allow or deny with ISO country codes); this stage serves a worldwide audience, and the edge web ACL still blocks anonymous proxies and bad-reputation addresses.',
  },
  cdnVendedAccessLogs: {
    findings: ['AwsSolutions-CFR3', 'cdk-validator-cfnguard::cloudfront_access_logs_enabled_check'],
    reason:
      'Access logs are delivered by CloudWatch Logs vended-log delivery (standard logging v2) into a KMS-encrypted log group with the stage retention, defined in the Edge stack in us-east-1 (where CloudFront deliveries must live); the rule reads only the legacy S3 Logging property.',
  },
  apiHasNoRootObject: {
    findings: ['cdk-validator-cfnguard::cloudfront_default_root_object_configured_check'],
    reason:
      'The distribution serves a JSON API and assets, not a website: `/` is forwarded to the load balancer, which answers a JSON 404 (no object listing is possible; the assets origin is reached only under /assets/* through Origin Access Control with read-object permission only).',
  },
  singleApiOrigin: {
    findings: ['cdk-validator-cfnguard::cloudfront_origin_failover_enabled_check'],
    reason:
      'CloudFront origin groups fail over only GET, HEAD and OPTIONS, and the API has one origin: a load balancer spanning every AZ in front of Lambda (AVL-LB). Published content survives an origin outage through stale-if-error caching (AVL-CDN); writes must reach the one primary database.',
  },
  loadBalancerLogTargetImported: {
    findings: ['cdk-validator-cfnguard::elbv2_logging_enabled_check'],
    reason:
      'Access logs are enabled (access_logs.s3.enabled = true) into the Data stack access-log bucket, named through a cross-stack export that the static rule cannot resolve; test/stacks/app-front-door.test.ts asserts the attributes.',
    staticReadingOnly: true,
  },
  sqsSourceUsesRedrive: {
    findings: ['Serverless-LambdaEventSourceMappingDestination'],
    reason:
      'On-failure destinations exist only for stream and Kafka sources; for an SQS source, failed messages go back to the queue and, after maxReceiveCount, to its dead-letter queue, which pages on-call.',
  },
  stagingLoadBalancerDeletable: {
    findings: [
      'NIST.800.53.R5-ELBDeletionProtectionEnabled',
      'HIPAA.Security-ELBDeletionProtectionEnabled',
      'cdk-validator-cfnguard::elbv2_deletion_protection_enabled_check',
    ],
    reason:
      'Staging is torn down and rebuilt from code; the load balancer is stateless (no data, recreated with the same configuration). Production enables deletion protection.',
  },
  invalidatesAccountDistributions: {
    findings: ['AwsSolutions-IAM5[Resource::{distributions}]'],
    reason:
      'The distribution is created in the us-east-1 Edge stack after this function, so its id is unknown here; the function reads it from one SSM parameter. The statement allows only cloudfront:CreateInvalidation (cache eviction, no configuration change) on distributions of this account.',
  },
  backupWritesDatedObjects: {
    findings: ['AwsSolutions-IAM5[Resource::{objects}]'],
    reason:
      'The nightly backup writes new objects under its stage prefix only (run folders are dated and named at run time): s3:PutObject and s3:AbortMultipartUpload, no read, no delete; Object Lock keeps every object for the retention period.',
  },
  restoreReadsStageBackups: {
    findings: ['AwsSolutions-IAM5[Resource::<{bucket}.Arn>/{prefix}/*]'],
    reason:
      "The restore role reads the stage's backups, whose run folders are dated and named at run time: s3:GetObject and s3:GetObjectVersion under the stage prefix only (restore reads the exact version each signed manifest records), no write, no delete; decryption only through S3.",
  },
  asyncFailuresInDeadLetterQueue: {
    findings: ['Serverless-LambdaAsyncFailureDestination'],
    reason:
      "Asynchronous failures already go to the function's dead-letter queue (DeadLetterConfig, after two retries), which pages on-call; an on-failure destination to the same queue would deliver each failure twice.",
  },
  schedulerRunsExportTask: {
    findings: [
      'AwsSolutions-IAM5[Resource::arn:aws:ecs:{region}:{account}:task/<{cluster}>/*]',
      ...packs('IAMNoInlinePolicy'),
    ],
    reason:
      "Role of this one schedule (trusted by scheduler.amazonaws.com for this account only): ecs:RunTask on the export task definition in its cluster, ecs:TagResource on the tasks of that cluster only (their ids are made at run time), iam:PassRole on exactly the task and execution roles, sqs:SendMessage to its dead-letter queue and that queue's key through SQS; nothing else.",
  },
  exportPublishesMetrics: {
    findings: ['AwsSolutions-IAM5[Resource::*]', ...packs('IAMNoInlinePolicy')],
    reason:
      'Policy of the one export task role, scoped to the resources it names; the one wildcard is cloudwatch:PutMetricData, which has no resource-level permissions and is limited by the cloudwatch:namespace condition to the backup metrics.',
  },
  scheduleDeadLetterQueue: {
    findings: ['AwsSolutions-SQS3'],
    reason:
      'This queue is the dead-letter queue of the export schedule (EventBridge Scheduler DeadLetterConfig): a start that failed after its retries lands here, and an alarm on it pages on-call. A dead-letter queue of a dead-letter queue has no consumer.',
  },
  exportEnvironmentHoldsNoSecrets: {
    findings: ['AwsSolutions-ECS2'],
    reason:
      "The export container's environment holds names only (bucket, prefix, key ARNs, the proxy endpoint, the database user, workers, deadline): no secret. The database is reached with short-lived IAM tokens, and the keys are used through KMS.",
  },
  exportExecutionRolePullsImage: {
    findings: ['AwsSolutions-IAM5[Resource::*]', ...packs('IAMNoInlinePolicy')],
    reason:
      "Execution role generated by the CDK for the one export task definition: it pulls the image from the bootstrap repository (ecr:GetAuthorizationToken has no resource-level permission) and writes the task's log group; the export itself runs with the task role.",
  },
  schedulerInvokesFunctionVersions: {
    findings: ['AwsSolutions-IAM5[Resource::<{function}.Arn>:*]', ...packs('IAMNoInlinePolicy')],
    reason:
      "Role of this one schedule (trusted by scheduler.amazonaws.com for this account only): lambda:InvokeFunction on the backup function and its versions (the `:*` qualifier, written by the CDK scheduler target), sqs:SendMessage to its dead-letter queue and that queue's key through SQS; nothing else.",
  },
  queueConsumer: {
    findings: ['NIST.800.53.R5-LambdaDLQ', 'HIPAA.Security-LambdaDLQ', 'Serverless-LambdaDLQ'],
    reason:
      'Invoked only by its SQS event source mapping (poll-based): failed messages return to the queue and, after the retries, go to its dead-letter queue, which pages on-call. An asynchronous-invocation dead-letter queue would never receive anything.',
  },
  queueDeadLetterQueue: {
    findings: ['Serverless-SQSRedrivePolicy', 'cdk-validator-cfnguard::sqs_dlq_check'],
    reason:
      'This queue is the dead-letter queue of another queue, watched by an alarm; a dead-letter queue of a dead-letter queue has no consumer.',
  },
  accessLogBucketNoSelfLogging: {
    findings: ['cdk-validator-cfnguard::s3_bucket_logging_enabled_check'],
    reason:
      'This is the access-log bucket itself; logging it into itself would log every log delivery. Changes to it are recorded by CloudTrail management events.',
  },
  accessLogTargetImported: {
    findings: ['cdk-validator-cfnguard::s3_bucket_logging_enabled_check'],
    reason:
      'The bucket logs to the Data stack access-log bucket, named through a cross-stack export that the static rule cannot resolve; the template sets LoggingConfiguration with that bucket as destination.',
    staticReadingOnly: true,
  },
  noBucketEventConsumer: {
    findings: ['cdk-validator-cfnguard::s3_event_notifications_enabled_check'],
    reason:
      'No process consumes object events of this bucket; object-level activity is recorded by S3 server access logs and, for backups and assets, CloudTrail data events. A notification with no consumer adds a delivery path, not a control.',
  },
  assetsAreMutable: {
    findings: ['cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check'],
    reason:
      'Assets are edited and deleted by editors; Object Lock would forbid that. Versioning keeps every replaced or deleted version for the backup retention period.',
  },
  logBucketWithoutObjectLock: {
    findings: ['cdk-validator-cfnguard::s3_bucket_object_lock_enabled_check'],
    reason:
      'Log files expire by lifecycle at the audit retention; tampering is detectable (CloudTrail log-file validation digests) and prevented by the bucket policy (TLS only, no public access, no delete grants to workloads). Object-lock immutability is reserved for backups (BKP-DAILY).',
  },
  stagingLogRetention: {
    findings: ['cdk-validator-cfnguard::cloudwatch_log_group_retention_period_check'],
    reason:
      'Operational logs keep the stage logRetentionDays (validated at least 90 days); production sets 365. Audit logs (CloudTrail, access logs) are kept at least a year in every stage.',
  },
  importedKeyLogGroup: {
    findings: ['cdk-validator-cfnguard::cloudwatch_log_group_encrypted_check'],
    reason: IMPORTED_KEY_REASON,
    staticReadingOnly: true,
  },
  importedKeyQueue: {
    findings: ['cdk-validator-cfnguard::sqs_queue_encrypted_check'],
    reason: IMPORTED_KEY_REASON,
    staticReadingOnly: true,
  },
  vpcConfigImported: {
    findings: ['cdk-validator-cfnguard::lambda_inside_vpc_check'],
    reason:
      'The function runs in the isolated App subnets with its own security group; both come from the Network stack through exports that the static rule cannot resolve; test/stacks/app-stack.test.ts asserts them.',
    staticReadingOnly: true,
  },
  cdkProviderOutsideVpc: {
    findings: ['cdk-validator-cfnguard::lambda_inside_vpc_check'],
    reason:
      'CDK-owned custom-resource provider that runs only during CloudFormation operations and calls AWS APIs (EC2, Lambda) that the isolated VPC has no endpoint for; it touches no customer data (lib/compliance/cdk-internal.ts).',
  },
  guardDutyFeaturesApi: {
    findings: ['cdk-validator-cfnguard::guardduty_s3_protection_enabled_check'],
    reason:
      'S3 protection is enabled through the Features API (S3_DATA_EVENTS), which replaces the DataSources property this rule reads; the Bulwark-GuardDutyFeatures rule and test/stacks/security-stack.test.ts check it.',
  },
  sessionLogBucketNotReplicated: {
    findings: packs('S3BucketReplicationEnabled'),
    reason:
      'Break-glass session transcripts are a second copy already: every session is also streamed to the encrypted CloudWatch Logs group with the same audit retention, and CloudTrail records each assumption of the role and each StartSession.',
  },
  breakGlassInstanceAgent: {
    findings: [
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-IAM5[Resource::arn:aws:ec2:{region}:{account}:instance/*]',
      'AwsSolutions-IAM5[Resource::arn:aws:logs:{region}:{account}:log-group:*]',
      'AwsSolutions-IAM5[Resource::<{logGroup}.Arn>:log-stream:*]',
      'AwsSolutions-IAM5[Resource::<{bucket}.Arn>/{prefix}/*]',
    ],
    reason:
      "Role of the break-glass access instance, the Session Manager agent's documented minimum: the four ssmmessages channel actions and ssm:UpdateInstanceInformation (no resource-level scoping beyond the calling instance), logs:DescribeLogGroups (the agent's encryption check lists groups), streams of the one session log group and objects under the stage's session prefix of the one session bucket (stream and object names are made per session). Nothing it holds reads a log, an object or a secret.",
  },
  breakGlassInstanceConnect: {
    findings: packs('IAMNoInlinePolicy'),
    reason:
      'Policy generated by RdsProxy.grantConnect for the access instance role: rds-db:connect through the one proxy as the one operator database user, nothing else.',
  },
  breakGlassRoleScopedByCondition: {
    findings: [
      'AwsSolutions-IAM5[Resource::*]',
      'AwsSolutions-IAM5[Resource::arn:aws:ec2:{region}:{account}:instance/*]',
      'AwsSolutions-IAM5[Resource::arn:aws:ec2:{region}:{account}:volume/*]',
      'AwsSolutions-IAM5[Resource::arn:aws:ec2:{region}:{account}:network-interface/*]',
      'AwsSolutions-IAM5[Resource::arn:aws:ec2:{region}::image/*]',
      'AwsSolutions-IAM5[Resource::arn:aws:ssm:{region}:{account}:session/<aws:userid>-*]',
    ],
    reason:
      'Instances, volumes and network interfaces do not exist before the launch, so RunInstances names them by condition: only from the one access launch template (ec2:LaunchTemplate) with its instance type, its image and security group only (ec2:IsLaunchTemplateResource), into the named App subnets; tags only at launch (ec2:CreateAction); sessions and terminations only on instances tagged with the stage break-glass tag, sessions only with the Bulwark session document (ssm:SessionDocumentAccessCheck); ssm:TerminateSession/ResumeSession only on the caller own sessions (${aws:userid}); ec2:DescribeInstances and ssm:DescribeInstanceInformation support no resource-level permissions and are read-only.',
  },
  deadLetterQueue: {
    findings: [
      'AwsSolutions-SQS3',
      'Serverless-SQSRedrivePolicy',
      'cdk-validator-cfnguard::sqs_dlq_check',
    ],
    reason:
      'This queue is itself a dead-letter queue (for EventBridge or SNS deliveries), watched by an alarm; a dead-letter queue of a dead-letter queue has no consumer.',
  },
} as const satisfies Record<string, Acknowledgement>;

/** Name of an entry of {@link ACKNOWLEDGEMENTS}. */
export type AcknowledgementName = keyof typeof ACKNOWLEDGEMENTS;

/**
 * A resolved CloudFormation value as cdk-nag names it in a finding id: literals as
 * they are, `Fn::ImportValue` by export name, `Ref` as `<Id>`, `Fn::GetAtt` as
 * `<Id.Attr>`, `Fn::Join` concatenated.
 */
export function nagResourceName(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  if (v['Fn::ImportValue'] !== undefined) return nagResourceName(v['Fn::ImportValue']);
  if (v.Ref !== undefined) return `<${v.Ref}>`;
  if (v['Fn::GetAtt'] !== undefined) return `<${v['Fn::GetAtt'].join('.')}>`;
  if (v['Fn::Join'] !== undefined) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(nagResourceName).join(sep);
  }
  throw new Error(`No finding name for ${JSON.stringify(value)}`);
}

/** Fills `{name}` placeholders of a finding id. */
export function findingIds(
  name: AcknowledgementName,
  values: Record<string, string> = {},
): string[] {
  return ACKNOWLEDGEMENTS[name].findings.map((f) =>
    f.replace(/\{(\w+)\}/g, (_, key: string) => {
      if (!(key in values)) throw new Error(`Acknowledgement ${name} needs a value for {${key}}`);
      return values[key];
    }),
  );
}

/** An acknowledgement as applied to a construct. */
export interface AppliedAcknowledgement {
  /** Registry entry. */
  readonly name: AcknowledgementName;
  /** Finding id, placeholders filled. */
  readonly id: string;
  /** Construct path it was applied to. */
  readonly path: string;
}

let recorder: AppliedAcknowledgement[] | undefined;

/**
 * Acknowledges each finding of one registered exception on one construct (the
 * resource that has the gap, never a stack or the app).
 */
export function acknowledge(
  scope: IConstruct,
  name: AcknowledgementName,
  values?: Record<string, string>,
): void {
  apply(scope, name, values, recorder);
}

function apply(
  scope: IConstruct,
  name: AcknowledgementName,
  values: Record<string, string> | undefined,
  record: AppliedAcknowledgement[] | undefined,
): void {
  const reason = ACKNOWLEDGEMENTS[name].reason;
  for (const id of findingIds(name, values)) {
    if (record) {
      record.push({ name, id, path: scope.node.path });
    } else {
      Validations.of(scope).acknowledge({ id, reason });
    }
  }
}

/**
 * Acknowledges on a construct that aws-cdk-lib only creates while preparing the app
 * for synthesis (after every Bulwark constructor has run), such as the providers of
 * cross-region references, or with values known only then (such as the name of a
 * cross-stack export). `find` and `values` run after preparation, before validation.
 */
export function acknowledgeOnceCreated(
  stack: IConstruct,
  find: () => IConstruct | undefined,
  name: AcknowledgementName,
  values?: () => Record<string, string>,
): void {
  const record = recorder;
  stack.node.addValidation({
    validate: () => {
      const target = find();
      if (target) apply(target, name, values?.(), record);
      return [];
    },
  });
}

/**
 * Runs `build` with acknowledgements recorded instead of applied, so that a check
 * can prove each of them silences a finding that the nag packs really report.
 */
export function recordAcknowledgements<T>(build: () => T): {
  result: T;
  acknowledgements: AppliedAcknowledgement[];
} {
  const previous = recorder;
  recorder = [];
  try {
    const result = build();
    return { result, acknowledgements: recorder };
  } finally {
    recorder = previous;
  }
}
