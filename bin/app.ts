#!/usr/bin/env node
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildApp } from '../lib/app';
import { buildReport, evidenceFailures, writeReport } from '../lib/compliance/report';
import { ConfigError } from '../lib/config';

const app = new App();
try {
  const controlTower = String(app.node.tryGetContext('controlTower')) === 'true';
  buildApp(app, { stage: app.node.tryGetContext('stage'), controlTower });
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
const assembly = app.synth();

// The compliance report of what was just synthesized (also: `npm run report`).
const report = buildReport(assembly.directory);
writeReport(report, path.join(assembly.directory, 'compliance'));
const missing = evidenceFailures(report);
if (missing.length > 0) {
  console.error(`Compliance evidence missing:\n  ${missing.join('\n  ')}`);
  process.exit(1);
}
