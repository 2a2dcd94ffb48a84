import { z } from 'zod';
import { ALLOWED_REGIONS, LOG_RETENTION_DAYS } from './regions';

const ID_PATTERN = /^[a-z][a-z0-9-]{1,11}$/;
const HOSTNAME = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const DB_INSTANCE_CLASS =
  /^(t3|t4g|m5|m6g|m6i|m7g|m7i|m8g|r5|r6g|r6i|r7g|r7i|r8g)\.(micro|small|medium|large|xlarge|[1-9][0-9]?xlarge)$/;

/** Stage names become part of stack names (`Bulwark-<Stage>-<Part>`). */
export const stageNameSchema = z.string().regex(ID_PATTERN, {
  error: 'must be lower-case letters, digits and dashes (2-12 chars, starting with a letter)',
});

const region = z.enum(ALLOWED_REGIONS, {
  error: `must be a commercial AWS region (PHY-DC); allowed: ${ALLOWED_REGIONS.join(', ')}`,
});

const retention = (min: number, why: string) =>
  z
    .number({ error: 'must be a number of days' })
    .int({ error: 'must be a whole number of days' })
    .min(min, { error: `must be ≥ ${min} (${why})` })
    .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
      error: `must be a CloudWatch Logs retention value: ${LOG_RETENTION_DAYS.join(', ')}`,
    });

const prefixAtLeast = (cidr: string, v4: number, v6: number) => {
  const bits = Number(cidr.split('/')[1]);
  return cidr.includes(':') ? bits >= v6 : bits >= v4;
};

const networkSchema = z.strictObject({
  /** IPv4 range of the VPC, /16 to /24. */
  vpcCidr: z
    .cidrv4({ error: 'must be an IPv4 CIDR such as 10.20.0.0/16', abort: true })
    .refine((c) => Number(c.split('/')[1]) >= 16 && Number(c.split('/')[1]) <= 24, {
      error: 'prefix length must be between /16 and /24',
    }),
  /** Availability zones the VPC spans (2 or 3). */
  azCount: z
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(2, { error: 'must be ≥ 2 (AVL-LB: every tier spans at least two AZs)' })
    .max(3, { error: 'must be ≤ 3' }),
});

const databaseSchema = z.strictObject({
  /** RDS instance class without the `db.` prefix, e.g. `r7g.large`. */
  instanceClass: z.string().regex(DB_INSTANCE_CLASS, {
    error: 'must be an RDS PostgreSQL instance class such as r7g.large or t4g.medium',
  }),
  /** Standby in a second AZ with synchronous replication. */
  multiAz: z.boolean({ error: 'must be true or false' }),
  /** In-region read replicas (1-5). */
  readReplicas: z
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(1, { error: 'must be ≥ 1 (DR-REPL: the primary has at least one read replica)' })
    .max(5, { error: 'must be ≤ 5 (RDS PostgreSQL replica limit)' }),
  /**
   * An encrypted read replica of the primary in `drRegion` (DR-REPL), promoted by
   * `npm run dr:promote` in a regional failover.
   */
  crossRegionReplica: z.boolean({ error: 'must be true or false' }).default(false),
  /** Initial storage in GiB (20-65536); storage autoscaling may grow it to 4×. */
  allocatedStorageGiB: z
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(20, { error: 'must be ≥ 20 (gp3 minimum)' })
    .max(16384, { error: 'must be ≤ 16384' }),
});

const apiSchema = z.strictObject({
  /** Memory of the content API function in MiB (also scales its CPU). */
  memoryMiB: z
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(256, { error: 'must be ≥ 256' })
    .max(10240, { error: 'must be ≤ 10240 (Lambda maximum)' }),
  /** Concurrent executions reserved for (and capping) the content API. */
  reservedConcurrency: z
    .number({ error: 'must be a number' })
    .int({ error: 'must be a whole number' })
    .min(1, { error: 'must be ≥ 1' })
    .max(1000, { error: 'must be ≤ 1000' }),
});

/**
 * Fargate's allowed task sizes (Linux): memory in MiB for each CPU value in units
 * (1024 = one vCPU), from the Amazon ECS task-definition reference.
 */
export const FARGATE_TASK_SIZES: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: range(1024, 4096, 1024),
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
};

function range(from: number, to: number, step: number): number[] {
  return Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);
}

/** Longest run of the backup Lambda, in minutes (Lambda's maximum timeout). */
export const LAMBDA_MAX_MINUTES = 15;
/** Longest run of the Fargate export task, in minutes: it stops itself after this. */
export const FARGATE_MAX_MINUTES = 1440;
/** Largest memory of a Lambda function, in MiB. */
export const LAMBDA_MAX_MEMORY_MIB = 10240;

const backupSchema = z
  .strictObject({
    /** Daily start of the logical export, UTC, `HH:MM`. */
    scheduleUtc: z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, {
      error: 'must be a UTC time of day as HH:MM, e.g. 02:00',
    }),
    /**
     * What runs the export: the Lambda (databases up to about 17 GiB) or an ECS Fargate
     * task (hours, more vCPUs, more workers).
     */
    runner: z
      .enum(['lambda', 'fargate'], { error: "must be 'lambda' or 'fargate'" })
      .default('lambda'),
    /**
     * Longest run in minutes: the Lambda's timeout (≤ 15), or the time after which the
     * Fargate task stops itself (≤ 1440). The export must fit in half of it.
     */
    timeoutMinutes: z
      .number({ error: 'must be a number of minutes' })
      .int({ error: 'must be a whole number' })
      .min(1, { error: 'must be ≥ 1' })
      .max(FARGATE_MAX_MINUTES, { error: `must be ≤ ${FARGATE_MAX_MINUTES} (a day)` }),
    /**
     * Memory in MiB: the Lambda's (also scales its CPU, which gzip uses), or the Fargate
     * task's, one of the sizes Fargate allows with `cpu`.
     */
    memoryMiB: z
      .number({ error: 'must be a number' })
      .int({ error: 'must be a whole number' })
      .min(512, { error: 'must be ≥ 512' }),
    /**
     * CPU of the Fargate task in units (1024 = one vCPU): 256, 512, 1024, 2048, 4096,
     * 8192 or 16384. Only with `runner: "fargate"`, where it is required.
     */
    cpu: z
      .number({ error: 'must be a number of CPU units' })
      .int({ error: 'must be a whole number' })
      .optional(),
  })
  .superRefine((b, ctx) => {
    const issue = (path: string, input: unknown, message: string) =>
      ctx.addIssue({ code: 'custom', path: [path], message, input });
    if (b.runner === 'lambda') {
      if (b.timeoutMinutes > LAMBDA_MAX_MINUTES)
        issue(
          'timeoutMinutes',
          b.timeoutMinutes,
          `must be ≤ ${LAMBDA_MAX_MINUTES} (Lambda maximum); longer exports need runner "fargate"`,
        );
      if (b.memoryMiB > LAMBDA_MAX_MEMORY_MIB)
        issue('memoryMiB', b.memoryMiB, `must be ≤ ${LAMBDA_MAX_MEMORY_MIB} (Lambda maximum)`);
      if (b.cpu !== undefined)
        issue('cpu', b.cpu, 'is only for runner "fargate" (a Lambda\'s CPU follows its memory)');
      return;
    }
    const sizes = b.cpu === undefined ? undefined : FARGATE_TASK_SIZES[b.cpu];
    if (b.cpu === undefined) {
      issue(
        'cpu',
        b.cpu,
        `is required with runner "fargate": one of ${Object.keys(FARGATE_TASK_SIZES).join(', ')}`,
      );
    } else if (!sizes) {
      issue(
        'cpu',
        b.cpu,
        `must be a Fargate CPU value: ${Object.keys(FARGATE_TASK_SIZES).join(', ')}`,
      );
    } else if (!sizes.includes(b.memoryMiB)) {
      issue(
        'memoryMiB',
        b.memoryMiB,
        `must be a Fargate memory size for cpu ${b.cpu}: ${sizes[0]} to ${sizes[sizes.length - 1]} in steps of ${sizes[1] - sizes[0]}`,
      );
    }
  });

const alertsSchema = z.strictObject({
  /** Mailbox subscribed to the alert topic. */
  email: z.email({ error: 'must be an e-mail address' }),
  /** On-call webhook (HTTPS) subscribed to the alert topic. */
  onCallUrl: z.url({ error: 'must be a URL' }).refine((u) => u.startsWith('https://'), {
    error: 'must use https:// (MON-ALERT: on-call is paged by an HTTPS webhook; ENC-TRANSIT)',
  }),
  /** Lowest GuardDuty severity (1-8.9) that pages on-call. */
  guardDutyMinSeverity: z
    .number({ error: 'must be a number' })
    .min(1, { error: 'must be ≥ 1' })
    .max(8.9, { error: 'must be ≤ 8.9' }),
});

/** Action of a managed rule group: enforce its rules, or only count matches (rollout). */
const groupMode = z.enum(['block', 'count'], { error: "must be 'block' or 'count'" });
const ruleAction = z.enum(['block', 'count', 'challenge', 'captcha', 'allow'], {
  error: "must be 'block', 'count', 'challenge', 'captcha' or 'allow'",
});

const managedGroupSchema = z.strictObject({
  /** `count` while rolling out (matches are logged, nothing blocked), then `block`. */
  mode: groupMode,
  /** Per-rule action overrides inside the group, by AWS rule name. */
  ruleOverrides: z
    .record(
      z.string().regex(/^[A-Za-z0-9_-]{1,128}$/, { error: 'must be a WAF rule name' }),
      ruleAction,
    )
    .optional(),
});

/** WAF accepts rate limits from 10 to 2,000,000,000 requests per evaluation window. */
export const WAF_MIN_RATE_LIMIT = 10;

const rateLimit = z
  .number({ error: 'must be a number of requests per 5 minutes' })
  .int({ error: 'must be a whole number' })
  .min(WAF_MIN_RATE_LIMIT, { error: `must be ≥ ${WAF_MIN_RATE_LIMIT} (AWS WAF minimum)` })
  .max(2_000_000_000, { error: 'must be ≤ 2000000000 (AWS WAF maximum)' });

const wafSchema = z
  .strictObject({
    /** AWS managed rule groups, each with its rollout mode and rule overrides. */
    managedRules: z.strictObject({
      /** AWSManagedRulesCommonRuleSet (OWASP top-10 style inspection). */
      common: managedGroupSchema,
      /** AWSManagedRulesKnownBadInputsRuleSet. */
      knownBadInputs: managedGroupSchema,
      /** AWSManagedRulesSQLiRuleSet. */
      sqlInjection: managedGroupSchema,
      /** AWSManagedRulesAmazonIpReputationList. */
      ipReputation: managedGroupSchema,
      /** AWSManagedRulesAnonymousIpList (VPNs, Tor, hosting providers). */
      anonymousIp: managedGroupSchema,
    }),
    /** Requests per client IP per 5 minutes. */
    rateLimits: z.strictObject({
      /** Any request. */
      perIp: rateLimit,
      /** Write methods and the key routes (`/v1/spaces/<id>/keys...`), the brute-force surface. */
      writesPerIp: rateLimit,
    }),
    /** Blocked requests per 5 minutes (per web ACL) that page on-call. */
    blockedAlarmThreshold: z
      .number({ error: 'must be a number of requests' })
      .int({ error: 'must be a whole number' })
      .min(1, { error: 'must be ≥ 1' }),
  })
  .superRefine((w, ctx) => {
    if (w.rateLimits.writesPerIp > w.rateLimits.perIp) {
      ctx.addIssue({
        code: 'custom',
        path: ['rateLimits', 'writesPerIp'],
        message: 'must be ≤ rateLimits.perIp (the write limit is the stricter one)',
        input: w.rateLimits.writesPerIp,
      });
    }
  });

/** ISO 3166-1 alpha-2 country code. */
const country = z.string().regex(/^[A-Z]{2}$/, { error: 'must be an ISO 3166-1 alpha-2 code' });

const edgeSchema = z.strictObject({
  /**
   * Route 53 hosted zone of `domainName`: certificates are validated through it and
   * alias records created. Without it, certificates wait for manual DNS validation.
   */
  hostedZone: z
    .strictObject({
      id: z.string().regex(/^Z[A-Z0-9]{1,31}$/, { error: 'must be a Route 53 hosted zone id' }),
      name: z.string().regex(HOSTNAME, { error: 'must be a lower-case DNS name' }),
    })
    .optional(),
  /** CloudFront price class: which edge locations serve viewers. */
  priceClass: z.enum(['PriceClass_100', 'PriceClass_200', 'PriceClass_All'], {
    error: 'must be PriceClass_100, PriceClass_200 or PriceClass_All',
  }),
  /** Countries served (`allow`) or refused (`deny`); `none` serves everyone. */
  geoRestriction: z.discriminatedUnion(
    'type',
    [
      z.strictObject({ type: z.literal('none') }),
      z.strictObject({
        type: z.enum(['allow', 'deny']),
        countries: z.array(country).min(1, { error: 'must list at least one country' }),
      }),
    ],
    { error: "type must be 'none', 'allow' or 'deny'" },
  ),
  /** Both web ACLs (CloudFront and ALB) use these settings. */
  waf: wafSchema,
});

const shieldSchema = z
  .strictObject({
    /** Shield Advanced protections for the distribution and the ALB. */
    advanced: z.boolean({ error: 'must be true or false' }),
    /**
     * Confirms the account has an active Shield Advanced subscription (a one-year
     * commitment CloudFormation cannot create). Required when `advanced` is on.
     */
    subscriptionActive: z.boolean({ error: 'must be true or false' }).optional(),
  })
  .superRefine((s, ctx) => {
    if (s.advanced && s.subscriptionActive !== true) {
      ctx.addIssue({
        code: 'custom',
        path: ['subscriptionActive'],
        message:
          'must be true when advanced is on: subscribe the account to Shield Advanced first (aws shield create-subscription), then confirm it here',
        input: s.subscriptionActive,
      });
    }
  });

/** WAF accepts at most 10,000 addresses per IP set. */
export const WAF_IP_SET_MAX_ADDRESSES = 10_000;

/** Addresses threat response takes from one finding unless the stage says otherwise. */
export const DEFAULT_MAX_ADDRESSES_PER_FINDING = 100;

const days = (max: number) =>
  z
    .number({ error: 'must be a number of days' })
    .int({ error: 'must be a whole number of days' })
    .min(1, { error: 'must be ≥ 1' })
    .max(max, { error: `must be ≤ ${max}` });

const threatResponseSchema = z
  .strictObject({
    /** GuardDuty findings at or above this severity (1-8.9) have their remote addresses blocked. */
    minSeverity: z
      .number({ error: 'must be a number' })
      .min(1, { error: 'must be ≥ 1' })
      .max(8.9, { error: 'must be ≤ 8.9' }),
    /** How long a first offence stays blocked. */
    blockDays: days(365).default(7),
    /** Longest block: each repeat offence doubles the block, up to this. */
    maxBlockDays: days(365).default(90),
    /** Addresses Bulwark keeps in each blocklist IP set; when full, blocks ending before a newcomer's make room. */
    maxAddressesPerSet: z
      .number({ error: 'must be a number of addresses' })
      .int({ error: 'must be a whole number' })
      .min(1, { error: 'must be ≥ 1' })
      .max(WAF_IP_SET_MAX_ADDRESSES, {
        error: `must be ≤ ${WAF_IP_SET_MAX_ADDRESSES} (AWS WAF IP set limit)`,
      })
      .default(WAF_IP_SET_MAX_ADDRESSES),
    /**
     * Most addresses blocked for one finding (the rest are not blocked, and an alarm
     * pages), so that one finding cannot flush the blocklist. Default: 100, or
     * `maxAddressesPerSet` when that is smaller.
     */
    maxAddressesPerFinding: z
      .number({ error: 'must be a number of addresses' })
      .int({ error: 'must be a whole number' })
      .min(1, { error: 'must be ≥ 1' })
      .max(WAF_IP_SET_MAX_ADDRESSES, {
        error: `must be ≤ ${WAF_IP_SET_MAX_ADDRESSES} (AWS WAF IP set limit)`,
      })
      .optional(),
  })
  .superRefine((t, ctx) => {
    if (t.maxBlockDays < t.blockDays) {
      ctx.addIssue({
        code: 'custom',
        path: ['maxBlockDays'],
        message: 'must be ≥ blockDays',
        input: t.maxBlockDays,
      });
    }
    const perFinding = t.maxAddressesPerFinding;
    // Past WAF's limit it is already reported.
    if (
      perFinding !== undefined &&
      perFinding > t.maxAddressesPerSet &&
      perFinding <= WAF_IP_SET_MAX_ADDRESSES
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['maxAddressesPerFinding'],
        message: `must be ≤ maxAddressesPerSet (${t.maxAddressesPerSet})`,
        input: perFinding,
      });
    }
  })
  .transform((t) => ({
    ...t,
    maxAddressesPerFinding:
      t.maxAddressesPerFinding ?? Math.min(DEFAULT_MAX_ADDRESSES_PER_FINDING, t.maxAddressesPerSet),
  }));

/** `https://` URLs, or `http://localhost` for a front end in development. */
const redirectUrl = z
  .url({ error: 'must be a URL' })
  .refine((u) => u.startsWith('https://') || /^http:\/\/localhost(:\d+)?\//.test(u), {
    error: 'must use https:// (http:// only for localhost)',
  });

const samlSchema = z
  .strictObject({
    /** Name of the identity provider in the user pool (shown on the sign-in page). */
    name: z.string().regex(/^[A-Za-z0-9_-]{3,32}$/, {
      error: 'must be 3-32 letters, digits, dashes or underscores',
    }),
    /** URL of the IdP's SAML metadata (Cognito fetches it); or `metadataFile`. */
    metadataUrl: z
      .url({ error: 'must be a URL' })
      .refine((u) => u.startsWith('https://'), { error: 'must use https://' })
      .optional(),
    /** Path (from the repository root) of the IdP's SAML metadata XML; or `metadataUrl`. */
    metadataFile: z.string().min(1).optional(),
    /** User-pool attribute ← SAML assertion attribute. `email` is required. */
    attributeMapping: z
      .partialRecord(z.enum(['email', 'name', 'given_name', 'family_name']), z.string().min(1))
      .refine((m) => m.email !== undefined, { error: 'must map email' }),
  })
  .superRefine((s, ctx) => {
    if ((s.metadataUrl === undefined) === (s.metadataFile === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['metadataUrl'],
        message: 'set exactly one of metadataUrl and metadataFile',
        input: s.metadataUrl,
      });
    }
  });

const peopleSchema = z.strictObject({
  /**
   * Prefix of the user pool's sign-in domain (`<prefix>.auth.<region>.amazoncognito.com`),
   * unique in the region.
   */
  domainPrefix: z
    .string()
    .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, {
      error: 'must be lower-case letters, digits and dashes (1-63)',
    })
    .refine((p) => !/aws|amazon|cognito/.test(p), {
      error: 'must not contain aws, amazon or cognito (Cognito refuses them)',
    }),
  /** Where the CMS front end receives the authorization code. */
  callbackUrls: z.array(redirectUrl).min(1, { error: 'must list at least one URL' }),
  /** Where the front end lands after signing out. */
  logoutUrls: z.array(redirectUrl).min(1, { error: 'must list at least one URL' }),
  /** Lifetime of access (and ID) tokens: short, since they cannot be recalled. */
  accessTokenMinutes: z
    .number({ error: 'must be a number of minutes' })
    .int({ error: 'must be a whole number' })
    .min(5, { error: 'must be ≥ 5 (Cognito minimum)' })
    .max(60, {
      error: 'must be ≤ 60 (IAM-SSO: tokens that cannot be recalled live an hour at most)',
    })
    .default(15),
  /** Lifetime of refresh tokens (revocable). */
  refreshTokenHours: z
    .number({ error: 'must be a number of hours' })
    .int({ error: 'must be a whole number' })
    .min(1, { error: 'must be ≥ 1' })
    .max(24, { error: 'must be ≤ 24 (a working day)' })
    .default(8),
  /** Who may manage API keys: any admin (`admins`), or only people with the admin role. */
  keyManagement: z.enum(['admins', 'people'], { error: "must be 'admins' or 'people'" }),
  /** A SAML identity provider for single sign-on; without it, people are local users. */
  saml: samlSchema.optional(),
});

const singleton = z.enum(['create', 'existing'], { error: "must be 'create' or 'existing'" });

/** GitHub's names: an owner (user or organization) and a repository, no wildcards. */
const GITHUB_REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})\/[A-Za-z0-9._-]{1,100}$/;
/** An environment or branch name as it appears in the OIDC subject: no wildcards. */
const GITHUB_NAME = /^(?!.*\.\.)[A-Za-z0-9._/-]{1,255}$/;

const deliverySchema = z.strictObject({
  /**
   * The GitHub repository (`owner/name`) whose workflows deliver the stage: the only
   * one whose OIDC tokens the stage's roles trust.
   */
  repository: z.string().regex(GITHUB_REPOSITORY, {
    error:
      'must be a GitHub repository as owner/name, without wildcards (SDLC-CHANGE: the roles trust one repository)',
  }),
  /**
   * The GitHub environment of the stage's deploy job: the deploy role trusts only
   * `repo:<repository>:environment:<environment>`, so its protection rules (required
   * reviewers, the branches allowed to deploy) gate every deploy.
   */
  environment: z.string().regex(GITHUB_NAME, {
    error:
      "must be a GitHub environment name (letters, digits, . _ - /), without wildcards (SDLC-CHANGE: only the stage's environment may assume the deploy role)",
  }),
  /**
   * The default branch: scheduled drift checks run from it, and only the read-only
   * role trusts `repo:<repository>:ref:refs/heads/<branch>`.
   */
  branch: z
    .string()
    .regex(GITHUB_NAME, {
      error:
        'must be a branch name, without wildcards (SDLC-CHANGE: the read role trusts one branch)',
    })
    .default('main'),
  /**
   * Create the account's GitHub OIDC provider, or use the one that exists (another
   * stage in the same account, or another project, created it).
   */
  oidcProvider: z.enum(['create', 'existing'], { error: "must be 'create' or 'existing'" }),
});

/** Schema of one stage block in `cdk.json` → `context.stages.<name>`. */
export const stageSchema = z
  .strictObject({
    /** 12-digit AWS account id. */
    account: z.string({ error: 'must be a 12-digit account id in quotes' }).regex(/^\d{12}$/, {
      error: 'must be a 12-digit account id',
    }),
    /** Primary region. */
    region,
    /** Disaster-recovery region that receives backup copies. */
    drRegion: region,
    /** Public domain of the content platform. */
    domainName: z.string().regex(HOSTNAME, { error: 'must be a lower-case DNS name' }),
    network: networkSchema,
    database: databaseSchema,
    api: apiSchema,
    /** RDS automated backups and object-locked exports are kept this long (30-35). */
    backupRetentionDays: z
      .number({ error: 'must be a number of days' })
      .int({ error: 'must be a whole number of days' })
      .min(30, {
        error: 'must be ≥ 30 (BKP-DB: database backups are kept at least 30 days; BKP-DAILY)',
      })
      .max(35, { error: 'must be ≤ 35 (RDS automated-backup maximum)' }),
    /** The nightly logical export (BACKUP.md). */
    backup: backupSchema,
    /** Retention of operational log groups (flow logs, database logs). */
    logRetentionDays: retention(90, 'RET-DATA: operational logs kept at least 90 days'),
    /** Retention of the audit trail (CloudTrail log group and bucket). */
    auditLogRetentionDays: retention(365, 'MON-AUDIT: audit trail kept at least one year'),
    alerts: alertsSchema,
    /** CloudFront, certificates and the web application firewall. */
    edge: edgeSchema,
    /** DDoS protection beyond Shield Standard (which is always on). */
    shield: shieldSchema,
    /**
     * Addresses threat response never blocks; WAF exempts them from rate limits and
     * IP-reputation lists but still inspects their requests.
     */
    trustedCidrs: z.array(
      z
        .union([z.cidrv4(), z.cidrv6()], { error: 'must be an IPv4 or IPv6 CIDR' })
        .refine((c) => prefixAtLeast(c, 8, 32), {
          error: 'is too wide to trust (needs at least /8 for IPv4, /32 for IPv6)',
        }),
    ),
    /** People's sign-in: the user pool, its SSO and the CMS app client (IAM-SSO). */
    people: peopleSchema,
    /** GuardDuty findings → WAF blocklists (THR-BLOCK). */
    threatResponse: threatResponseSchema,
    /** Create the GuardDuty detector, or use the account's existing one. */
    guardDuty: singleton,
    /** Create the Security Hub hub, or use the account's existing one. */
    securityHub: singleton,
    /**
     * Create the region's AWS Config recorder and delivery channel, or use the
     * account's existing ones (for example those of AWS Control Tower).
     */
    awsConfig: singleton,
    /** The keyless delivery path: GitHub's OIDC provider and the stage's deploy roles. */
    delivery: deliverySchema,
  })
  .superRefine((s, ctx) => {
    const zone = s.edge.hostedZone?.name;
    if (zone && s.domainName !== zone && !s.domainName.endsWith(`.${zone}`)) {
      ctx.addIssue({
        code: 'custom',
        path: ['edge', 'hostedZone', 'name'],
        message: `must be ${s.domainName} or one of its parent domains`,
        input: zone,
      });
    }
    if (s.drRegion === s.region) {
      ctx.addIssue({
        code: 'custom',
        path: ['drRegion'],
        message: 'must differ from region (BKP-REMOTE needs a second region)',
        input: s.drRegion,
      });
    }
  });

/** Validated stage configuration as written in `cdk.json`. */
export type StageInput = z.infer<typeof stageSchema>;

/** The whole `stages` context block: at least one stage. */
export const stagesSchema = z.record(stageNameSchema, stageSchema);
