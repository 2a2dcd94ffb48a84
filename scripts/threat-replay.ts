/**
 * `npm run threat:replay -- <finding.json> [--stage <name>] [--live] [--json]`
 *
 * Feeds a GuardDuty finding (an EventBridge event, or the bare finding from the
 * console or `get-findings`) to threat response and prints the decision: which
 * addresses are blocked until when, which are not and why, the IP sets updated and
 * the alert on-call would get. By default it runs offline against an in-memory WAF
 * and a local DynamoDB-protocol server (dynalite), both empty, with the stage's
 * trusted CIDRs and block policy. With `--live` it runs against the deployed stage's
 * real IP sets and table (this blocks for real; needs AWS credentials).
 * Exit code 0 on a decision, 1 on an error, 2 when it cannot run.
 */
import * as fs from 'node:fs';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoBlockTable } from '../lambda/threat-response/adapters/block-table';
import { regionalClients } from '../lambda/threat-response/adapters/clients';
import { WafIpSets } from '../lambda/threat-response/adapters/waf-ip-sets';
import { AddressPolicy } from '../lambda/threat-response/domain/addresses';
import { blockAlert } from '../lambda/threat-response/domain/alert-message';
import { type IpSetRef, type IpSets, systemClock } from '../lambda/threat-response/domain/ports';
import { type Decision, respondToFinding } from '../lambda/threat-response/domain/respond';
import type { StageConfig } from '../lib/config';
import { blocklistLocations } from '../lib/config';
import { OUTPUT_KEYS } from '../lib/stage-layout';
import { EXIT_CANNOT_RUN, requireCredentials } from './lib/aws-credentials';
import { cannotRun, defineCommand, runMain } from './lib/cli';
import { projectStage } from './lib/project-stages';
import { LocalWaf } from './lib/threat/local-waf';
import { readDeployedStage } from './lib/verify/stack-outputs';
import { CannotVerify } from './lib/verify/types';
import { startLocalTable } from './lib/threat/local-table';

/** EventBridge wraps the finding; the console and `get-findings` give it bare. */
export function asFindingEvent(json: unknown): unknown {
  const o = json as Record<string, unknown> | null;
  if (o && typeof o === 'object' && 'detail' in o) return o;
  if (o && typeof o === 'object' && 'Findings' in o && Array.isArray(o.Findings)) {
    return asFindingEvent(o.Findings[0]);
  }
  return { source: 'aws.guardduty', 'detail-type': 'GuardDuty Finding', detail: o };
}

interface Target {
  readonly sets: IpSets;
  readonly table: DynamoBlockTable;
  /** Current addresses of each set after the decision, by layer and family. */
  contents(): Promise<Array<{ ref: IpSetRef; addresses: readonly string[] }>>;
  stop(): Promise<void>;
}

async function localTarget(cfg: StageConfig): Promise<Target> {
  process.env.AWS_EC2_METADATA_DISABLED = 'true';
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  const local = await startLocalTable();
  const waf = new LocalWaf(cfg.name, cfg.account, cfg.region);
  const sets = setsOf(cfg);
  return {
    sets,
    table: new DynamoBlockTable(local.client, local.tableName),
    contents: () => contentsOf(sets),
    async stop() {
      waf.restore();
      await local.stop();
    },
  };
}

async function liveTarget(cfg: StageConfig): Promise<Target> {
  requireCredentials('threat:replay --live');
  const stage = await readDeployedStage(
    (region) => new CloudFormationClient({ region }),
    cfg,
    cfg.region,
  );
  const tableName = stage.Security.outputs[OUTPUT_KEYS.Security.blocklistTableName];
  if (!tableName) {
    throw new CannotVerify(
      `${stage.Security.name} has no ${OUTPUT_KEYS.Security.blocklistTableName} output: deploy it`,
    );
  }
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: cfg.region }));
  const sets = setsOf(cfg);
  return {
    sets,
    table: new DynamoBlockTable(db, tableName),
    contents: () => contentsOf(sets),
    stop: async () => db.destroy(),
  };
}

const setsOf = (cfg: StageConfig) => new WafIpSets(blocklistLocations(cfg), regionalClients());

async function contentsOf(sets: IpSets) {
  const refs = await sets.list();
  return Promise.all(
    refs.map(async (ref) => ({ ref, addresses: (await sets.read(ref)).addresses })),
  );
}

const when = (s: number) => new Date(s * 1000).toISOString();

function print(d: Decision, cfg: StageConfig, after: Awaited<ReturnType<Target['contents']>>) {
  const f = d.finding;
  console.log(`Finding ${f.type} (severity ${f.severity}) ${f.id}`);
  if (f.severity < cfg.threatResponse.minSeverity) {
    console.log(
      `  note: below the stage's minSeverity ${cfg.threatResponse.minSeverity}; the EventBridge rule would not deliver it`,
    );
  }
  console.log(`Decision: ${d.outcome.toUpperCase()}`);
  for (const b of d.blocked) {
    const what = b.newlyBlocked ? 'BLOCK' : 'KEEP ';
    console.log(`  ${what} ${b.cidr} until ${when(b.expiresAt)} (offence ${b.offences})`);
  }
  for (const s of d.skipped) console.log(`  SKIP  ${s.address}: ${s.reason}`);
  for (const e of d.evicted)
    console.log(`  EVICT ${e} (blocklist full, ends before the new blocks)`);
  for (const e of d.dropped)
    console.log(`  DROP  ${e} (no room in a set: no block there ends sooner)`);
  const cap = cfg.threatResponse.maxAddressesPerFinding;
  for (const e of d.beyondCap) console.log(`  DROP  ${e} (beyond maxAddressesPerFinding ${cap})`);
  if (d.outcome === 'sample')
    console.log('  sample findings name made-up activity: nothing blocked');
  console.log('IP sets:');
  for (const { ref, addresses } of after) {
    const changed = d.setsUpdated.includes(ref.arn) ? 'updated' : 'unchanged';
    console.log(`  ${ref.scope} ${ref.name}: ${addresses.length} address(es), ${changed}`);
  }
  const alert = blockAlert(cfg.name, d);
  console.log(
    alert ? `Alert: ${alert.subject}\n${alert.body}` : 'Alert: none (nothing newly blocked)',
  );
}

/** `npm run threat:replay`. */
export const command = defineCommand({
  name: 'threat:replay',
  usage: '<finding.json> [--stage <name>] [--live] [--json]',
  summary: 'Feeds a GuardDuty finding to threat response and prints the decision.',
  description: `The finding is an EventBridge event, or the bare finding from the console or
get-findings. The decision: which addresses are blocked until when, which are not and
why, the IP sets updated and the alert on-call would get. By default it runs offline
against an in-memory WAF and a local DynamoDB-protocol server, both empty, with the
stage's trusted CIDRs and block policy. With --live it runs against the deployed stage's
real IP sets and table (this blocks for real; needs AWS credentials).`,
  positionals: [{ name: 'finding.json', description: 'the GuardDuty finding' }],
  options: {
    stage: {
      type: 'string',
      value: 'name',
      default: 'staging',
      description: 'the stage of cdk.json',
    },
    live: {
      type: 'boolean',
      description: "against the deployed stage's IP sets (blocks for real)",
    },
    json: { type: 'boolean', description: 'print the decision as JSON' },
  },
  exitCodes: '0 a decision, 1 an error, 2 cannot run (bad arguments, no credentials for --live).',
  run: ({ values, positionals: [file] }) => replay(file, values),
});

async function replay(
  file: string,
  options: { readonly stage: string; readonly live: boolean; readonly json: boolean },
): Promise<number> {
  let cfg: StageConfig;
  let event: unknown;
  try {
    cfg = projectStage(options.stage);
    event = asFindingEvent(JSON.parse(fs.readFileSync(file, 'utf8')));
  } catch (err) {
    throw cannotRun(`threat:replay cannot run: ${(err as Error).message}`);
  }
  const live = options.live;
  let target: Target;
  try {
    target = live ? await liveTarget(cfg) : await localTarget(cfg);
  } catch (err) {
    if (!(err instanceof CannotVerify)) throw err;
    console.error(`threat:replay cannot run: ${err.message}`);
    return EXIT_CANNOT_RUN;
  }
  try {
    const decision = await respondToFinding(
      {
        addresses: new AddressPolicy(cfg.trustedCidrs),
        policy: cfg.threatResponse,
        capacity: cfg.threatResponse.maxAddressesPerSet,
        maxAddressesPerFinding: cfg.threatResponse.maxAddressesPerFinding,
        sets: target.sets,
        table: target.table,
        clock: systemClock,
      },
      event,
    );
    const after = await target.contents();
    if (options.json) console.log(JSON.stringify({ live, decision }, null, 2));
    else {
      console.log(live ? `LIVE: stage ${cfg.name}` : `Offline: stage ${cfg.name}, in-memory WAF`);
      print(decision, cfg, after);
    }
    return 0;
  } catch (err) {
    console.error(`threat:replay failed: ${(err as Error).message}`);
    return 1;
  } finally {
    await target.stop();
  }
}

runMain(command, module);
