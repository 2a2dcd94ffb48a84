import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CloudFormationValidatePlugin,
  type App,
  type IPolicyValidationContext,
  type PolicyValidationPluginReport,
  Validations,
} from 'aws-cdk-lib';
import { synthCacheDir } from './synth-cache';

/** aws-cdk-lib's version: its rule set and the rules it leaves out come with it. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const CDK_VERSION = (require('aws-cdk-lib/package.json') as { version: string }).version;

/** Most templates remembered as passing; the oldest are forgotten first. */
const MAX_REMEMBERED = 500;

type StackTemplate = NonNullable<IPolicyValidationContext['stackTemplates']>[number];

/**
 * aws-cdk-lib's CloudFormation validation (schemas and default rules, as with the
 * `@aws-cdk/core:validateAgainstDefaultRules` flag), which remembers the templates it
 * found nothing in: a template validated before with the same content, account,
 * region and versions of the validator and of aws-cdk-lib is not validated again. A template with any
 * finding, of any severity, is validated every time, so every synth reports it.
 * Being this plugin (a subclass), it replaces the built-in one and is trusted as it is.
 */
export class CachedCloudFormationValidation extends CloudFormationValidatePlugin {
  constructor(private readonly cacheDir: string | undefined = synthCacheDir('validation')) {
    super();
  }

  private get file(): string {
    return path.join(this.cacheDir!, 'passed.json');
  }

  private remembered(): string[] {
    try {
      const v = JSON.parse(fs.readFileSync(this.file, 'utf8'));
      return Array.isArray(v) ? v.filter((x) => typeof x === 'string') : [];
    } catch {
      return [];
    }
  }

  private remember(keys: string[]): void {
    const all = [...this.remembered().filter((k) => !keys.includes(k)), ...keys].slice(
      -MAX_REMEMBERED,
    );
    try {
      fs.mkdirSync(this.cacheDir!, { recursive: true });
      const temp = `${this.file}.${process.pid}.tmp`;
      fs.writeFileSync(temp, JSON.stringify(all));
      fs.renameSync(temp, this.file);
    } catch {
      // Remembering only saves time: where it cannot be written, the next synth validates.
    }
  }

  /** What the validation of one template depends on. */
  private keyOf(t: StackTemplate): string {
    return createHash('sha256')
      .update(
        JSON.stringify({
          validator: this.version,
          cdk: CDK_VERSION,
          plugin: CloudFormationValidatePlugin.PLUGIN_NAME,
          accountId: t.accountId ?? null,
          region: t.region ?? null,
        }),
      )
      .update(fs.readFileSync(t.templatePath))
      .digest('hex');
  }

  override validate(context: IPolicyValidationContext): PolicyValidationPluginReport {
    const templates = context.stackTemplates;
    if (!this.cacheDir || !templates) return super.validate(context);
    const passed = new Set(this.remembered());
    const keys = new Map(templates.map((t) => [t.templatePath, this.keyOf(t)]));
    const fresh = templates.filter((t) => !passed.has(keys.get(t.templatePath)!));
    if (fresh.length === 0) return { success: true, violations: [] };
    const report = super.validate({
      ...context,
      templatePaths: fresh.map((t) => t.templatePath),
      stackTemplates: fresh,
    });
    const named = new Set(
      report.violations.flatMap((v) =>
        v.violatingResources.map((r) => path.resolve(r.templatePath ?? '')),
      ),
    );
    // A finding that names no template clears none of them.
    const unplaced = report.violations.some(
      (v) => v.violatingResources.length === 0 || v.violatingResources.some((r) => !r.templatePath),
    );
    if (!unplaced) {
      this.remember(
        fresh
          .filter((t) => !named.has(path.resolve(t.templatePath)))
          .map((t) => keys.get(t.templatePath)!),
      );
    }
    return report;
  }
}

const registered = new WeakSet<App>();
/** One per process and cache directory, as the built-in's singleton: its engine is reused. */
const instances = new Map<string | undefined, CachedCloudFormationValidation>();

/** Validates the app's templates with {@link CachedCloudFormationValidation} (once per app). */
export function useCachedValidation(app: App): void {
  // Off where the built-in validation would be: `CDK_VALIDATION=false` (also what
  // `cdk synth --no-validation` sets) or the app's `builtinCloudFormationValidation: false`.
  const builtin = (app as unknown as { _builtinCloudFormationValidation?: boolean })
    ._builtinCloudFormationValidation;
  if (registered.has(app) || process.env.CDK_VALIDATION === 'false' || builtin === false) return;
  registered.add(app);
  const dir = synthCacheDir('validation');
  let plugin = instances.get(dir);
  if (!plugin) instances.set(dir, (plugin = new CachedCloudFormationValidation(dir)));
  Validations.of(app).addPlugins(plugin);
}
