import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildApp } from '../../lib/app';

/** The `context` block of the project's `cdk.json`. */
export function projectContext(): Record<string, unknown> {
  const file = path.join(__dirname, '..', '..', 'cdk.json');
  return JSON.parse(fs.readFileSync(file, 'utf8')).context;
}

/** Outcome of synthesizing an app with its validation plugins. */
export interface SynthResult {
  readonly outdir: string;
  /** The policy-validation error message, when a plugin reported a violation. */
  readonly validationError?: string;
}

/**
 * Synthesizes `app` into its outdir. A validation failure (nag or CloudFormation
 * rules) is returned, not thrown: the assembly and `validation-report.json` are
 * still written, and the nag gate test reports each finding.
 */
export function synthesize(app: App): SynthResult {
  try {
    app.synth();
    return { outdir: app.outdir };
  } catch (err) {
    const { name, message } = err as Error;
    if (!/validation ?failed/i.test(`${name} ${message}`)) throw err;
    return { outdir: app.outdir, validationError: `${name}: ${message}` };
  }
}

/**
 * Builds the Bulwark app from `cdk.json` context (plus overrides), bundling skipped,
 * with every validation plugin, the Control Tower rules included unless turned off.
 */
export function bulwarkApp(
  outdir: string,
  context: Record<string, unknown> = {},
  options: { controlTower?: boolean } = {},
): App {
  const app = new App({
    outdir,
    context: { ...projectContext(), 'aws:cdk:bundling-stacks': [], ...context },
  });
  buildApp(app, { controlTower: options.controlTower ?? true });
  return app;
}
