import { stageSchema, stageNameSchema, type StageInput } from './schema';

/** A validated stage with derived values filled in. */
export interface StageConfig extends StageInput {
  /** Stage key in `cdk.json` (`staging`, `production`). */
  readonly name: string;
  /** Stage name as used in stack names (`Staging`). */
  readonly title: string;
}

/** Thrown when the stage configuration is invalid; lists every problem at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Invalid stage configuration in cdk.json (context.stages):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

const show = (v: unknown): string => (v === undefined ? 'missing' : JSON.stringify(v));

const valueAt = (root: unknown, path: PropertyKey[]): unknown =>
  path.reduce<unknown>(
    (node, key) =>
      node !== null && typeof node === 'object'
        ? (node as Record<PropertyKey, unknown>)[key]
        : undefined,
    root,
  );

/**
 * Validates the `stages` context block and returns one config per stage.
 *
 * Every problem in every stage is collected and reported in one error, each naming
 * the key, the value received and what is allowed.
 */
export function loadStageConfigs(raw: unknown): StageConfig[] {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError([
      `stages: ${show(raw)} is not an object of stage blocks (e.g. { "staging": {...} })`,
    ]);
  }
  const entries = Object.entries(raw as Record<string, unknown>);
  if (entries.length === 0) throw new ConfigError(['stages: must define at least one stage']);

  const problems: string[] = [];
  const configs: StageConfig[] = [];
  for (const [name, block] of entries) {
    const nameCheck = stageNameSchema.safeParse(name);
    if (!nameCheck.success) {
      problems.push(`stages.${name}: stage name ${nameCheck.error.issues[0].message}`);
      continue;
    }
    const parsed = stageSchema.safeParse(block);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const key = ['stages', name, ...issue.path].join('.');
        if (issue.code === 'unrecognized_keys') {
          problems.push(`${key}: unknown key(s) ${issue.keys.join(', ')}`);
        } else if (valueAt(block, issue.path) === undefined && issue.code === 'invalid_type') {
          problems.push(`${key}: is required; ${issue.message}`);
        } else {
          problems.push(`${key} = ${show(valueAt(block, issue.path))}: ${issue.message}`);
        }
      }
      continue;
    }
    const s = parsed.data;
    configs.push({
      ...s,
      name,
      title: name
        .split('-')
        .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
        .join(''),
    });
  }
  problems.push(...deliveryConflicts(configs));
  if (problems.length > 0) throw new ConfigError(problems);
  return configs;
}

/**
 * Problems between stages' delivery settings: an account has one GitHub OIDC provider,
 * so only one stage of an account may create it; and two stages delivered from one
 * repository need different environments, or one stage's deploy job could assume the
 * other's deploy role (and skip its approval).
 */
function deliveryConflicts(configs: readonly StageConfig[]): string[] {
  const problems: string[] = [];
  configs.forEach((cfg, i) => {
    for (const earlier of configs.slice(0, i)) {
      const d = cfg.delivery;
      if (
        d.oidcProvider === 'create' &&
        earlier.delivery.oidcProvider === 'create' &&
        earlier.account === cfg.account
      ) {
        problems.push(
          `stages.${cfg.name}.delivery.oidcProvider = "create": stage ${earlier.name} creates the GitHub OIDC provider of account ${cfg.account} already; set "existing"`,
        );
      }
      if (
        d.repository === earlier.delivery.repository &&
        d.environment === earlier.delivery.environment
      ) {
        problems.push(
          `stages.${cfg.name}.delivery.environment = ${JSON.stringify(d.environment)}: stage ${earlier.name} deploys from the same environment of ${d.repository}; each stage needs its own, so that one stage's approval never deploys another`,
        );
      }
    }
  });
  return problems;
}
