/**
 * `npm run deploy -- --stage <name> [cdk deploy options]`
 *
 * Deploys every stack of one stage, in dependency order (Network, Recovery, Data,
 * Security), with the CDK CLI. Requires AWS credentials for the stage's account
 * and a bootstrapped account in the primary, recovery and us-east-1 regions.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EXIT_CANNOT_RUN, requireCredentials } from './lib/aws-credentials';

function main(argv: string[]): number {
  const i = argv.indexOf('--stage');
  const stage = i >= 0 ? argv[i + 1] : undefined;
  const stages = Object.keys(
    JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'cdk.json'), 'utf8')).context.stages,
  );
  if (!stage || !stages.includes(stage)) {
    console.error(`usage: npm run deploy -- --stage <${stages.join('|')}> [cdk deploy options]`);
    return EXIT_CANNOT_RUN;
  }
  const source = requireCredentials('deploy');
  const title = stage
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
  const rest = argv.filter((_, j) => j !== i && j !== i + 1);
  console.log(`Deploying stage ${stage} with credentials from ${source}`);
  const result = spawnSync(
    'npx',
    [
      'cdk',
      'deploy',
      `Bulwark-${title}-*`,
      '-c',
      `stage=${stage}`,
      '--require-approval',
      'broadening',
      ...rest,
    ],
    { stdio: 'inherit' },
  );
  return result.status ?? 1;
}

process.exit(main(process.argv.slice(2)));
