/**
 * The sandbox integration test as a CDK app, for `npm run integ` (which synthesizes it
 * with the project's CDK CLI, deploys it, and destroys it). Settings come from the JSON
 * file named by `BULWARK_SANDBOX_CONFIG`, or `sandbox.example.json` (offline snapshot).
 */
import * as fs from 'node:fs';
import { App } from 'aws-cdk-lib';
import { ConfigError } from '../../lib/config';
import { EXAMPLE_CONFIG, buildSandbox } from './sandbox-app';

const file = process.env.BULWARK_SANDBOX_CONFIG ?? EXAMPLE_CONFIG;
const app = new App();
try {
  buildSandbox(app, JSON.parse(fs.readFileSync(file, 'utf8')));
} catch (err) {
  if (err instanceof ConfigError || err instanceof SyntaxError) {
    console.error(`${file}: ${err.message}`);
    process.exit(1);
  }
  throw err;
}
app.synth();
