import { z } from 'zod';
import type { BlocklistLocation } from './adapters/waf-ip-sets';
import type { BlockPolicy } from './domain/block-record';

/** The threat-response function's configuration, from its environment. */
export interface Settings {
  readonly stage: string;
  readonly trustedCidrs: string[];
  readonly policy: BlockPolicy;
  readonly capacity: number;
  /** Most addresses taken from one finding. */
  readonly maxAddressesPerFinding: number;
  readonly blocklists: BlocklistLocation[];
  readonly tableName: string;
  readonly alertTopicArn: string;
}

const positiveInt = z.coerce.number().int().positive();

/** A variable holding JSON that must match `inner`. */
const json = <T extends z.ZodType>(inner: T) =>
  z.string().transform((s, ctx): z.output<T> => {
    try {
      const parsed = inner.safeParse(JSON.parse(s));
      if (parsed.success) return parsed.data;
    } catch {
      // reported below
    }
    ctx.addIssue({ code: 'custom', message: 'must be JSON of the expected shape' });
    return z.NEVER;
  });
const schema = z
  .object({
    STAGE: z.string().min(1),
    TABLE_NAME: z.string().min(3),
    ALERT_TOPIC_ARN: z.string().startsWith('arn:'),
    TRUSTED_CIDRS: json(z.array(z.string())),
    BLOCK_DAYS: positiveInt,
    MAX_BLOCK_DAYS: positiveInt,
    MAX_ADDRESSES_PER_SET: positiveInt,
    MAX_ADDRESSES_PER_FINDING: positiveInt,
    BLOCKLISTS: json(
      z
        .array(
          z.object({
            layer: z.enum(['edge', 'origin']),
            region: z.string().min(1),
            parameter: z.string().startsWith('/'),
          }),
        )
        .min(1),
    ),
  })
  .superRefine((e, ctx) => {
    if (e.MAX_ADDRESSES_PER_FINDING > e.MAX_ADDRESSES_PER_SET) {
      ctx.addIssue({
        code: 'custom',
        path: ['MAX_ADDRESSES_PER_FINDING'],
        message: 'must be ≤ MAX_ADDRESSES_PER_SET',
      });
    }
  });

/** Environment variable names, shared with the construct that sets them. */
export type SettingsEnv = keyof z.input<typeof schema>;

/** Reads the settings once at cold start; fails naming every bad variable. */
export function readSettings(env: NodeJS.ProcessEnv): Settings {
  const r = schema.safeParse(env);
  if (!r.success) {
    const bad = [...new Set(r.error.issues.map((i) => String(i.path[0])))].join(', ');
    throw new Error(`Invalid threat-response environment: ${bad}`);
  }
  const e = r.data;
  return {
    stage: e.STAGE,
    trustedCidrs: e.TRUSTED_CIDRS,
    policy: { blockDays: e.BLOCK_DAYS, maxBlockDays: e.MAX_BLOCK_DAYS },
    capacity: e.MAX_ADDRESSES_PER_SET,
    maxAddressesPerFinding: e.MAX_ADDRESSES_PER_FINDING,
    blocklists: e.BLOCKLISTS,
    tableName: e.TABLE_NAME,
    alertTopicArn: e.ALERT_TOPIC_ARN,
  };
}
