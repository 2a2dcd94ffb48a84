import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import type { Decision } from '../../../lambda/threat-response/domain/respond';
import { LocalWaf } from '../../../scripts/lib/threat/local-waf';
import { type LocalTable, startLocalTable } from '../../../scripts/lib/threat/local-table';
import { probeFrom } from './fixtures';

// A small blocklist (10 per set) and the per-finding cap (4), through the real handler.
const CAPACITY = 10;
const CAP = 4;
let table: LocalTable;
let waf: LocalWaf;
const sns = mockClient(SNSClient);
let handler: typeof import('../../../lambda/threat-response/handler').handler;
const published: string[] = [];
const savedEnv = { ...process.env };

beforeAll(async () => {
  table = await startLocalTable();
  waf = new LocalWaf('staging');
  Object.assign(process.env, {
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: table.endpoint,
    STAGE: 'staging',
    TRUSTED_CIDRS: JSON.stringify(['81.2.69.0/24']),
    BLOCK_DAYS: '7',
    MAX_BLOCK_DAYS: '30',
    MAX_ADDRESSES_PER_SET: String(CAPACITY),
    MAX_ADDRESSES_PER_FINDING: String(CAP),
    BLOCKLISTS: JSON.stringify(waf.locations),
    TABLE_NAME: table.tableName,
    ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:111122223333:bulwark-staging-alerts',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    published.push(String(chunk));
    return true;
  });
  ({ handler } = await import('../../../lambda/threat-response/handler'));
});
afterAll(async () => {
  jest.restoreAllMocks();
  sns.restore();
  waf.restore();
  await table.stop();
  process.env = savedEnv;
});
beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'a5b2c9d0-1e3f-4a5b-8c7d-9e0f1a2b3c4d' });
  published.length = 0;
});

/** The values the handler emitted for a metric (EMF lines on stdout). */
const metric = (name: string) =>
  published
    .map((line) => JSON.parse(line))
    .filter((m) => m._aws && name in m)
    .map((m) => m[name] as number);

const addressesOf = (block: number, count: number) =>
  Array.from({ length: count }, (_, i) => `45.${block}.0.${i + 1}`);

describe('threat-response handler: a finding that would flush the blocklist', () => {
  const offenders = [addressesOf(1, 4), addressesOf(2, 4), addressesOf(3, 2)];

  it('fills both sets with repeat offenders first (third offence: 28 days)', async () => {
    for (const [i, group] of offenders.entries()) {
      for (const at of ['2026-11-25T12:00:00Z', '2026-11-25T13:00:00Z', '2026-11-25T14:00:00Z']) {
        await handler(probeFrom(group, { id: `repeat-${i}`, updatedAt: at }));
      }
    }
    for (const layer of ['origin', 'edge'] as const) {
      expect(waf.addresses(layer, 'v4')).toHaveLength(CAPACITY);
    }
    expect(metric('AddressesOverCap')).toEqual(Array(9).fill(0));
  });

  it('caps the finding, evicts none of them, reports what it did not block and alarms', async () => {
    const flood = addressesOf(9, CAPACITY + 2).map((a) => `${a}/32`);
    const before = waf.addresses('edge', 'v4');
    const d = (await handler(probeFrom(flood.map((c) => c.replace('/32', ''))))) as Decision;

    expect(d.outcome).toBe('ignored');
    expect(d.beyondCap).toEqual(flood.slice(CAP));
    // Every block in the sets outlives the newcomers' 7 days: none is evicted, and the
    // capped newcomers find no room.
    expect(d.evicted).toEqual([]);
    expect(d.dropped).toEqual(flood.slice(0, CAP));
    expect(d.blocked).toEqual([]);
    for (const layer of ['origin', 'edge'] as const) {
      expect(waf.addresses(layer, 'v4')).toEqual(before);
    }
    expect(metric('AddressesOverCap')).toEqual([CAPACITY + 2 - CAP]);
    expect(metric('BlocksDropped')).toEqual([CAP]);
    expect(metric('BlocksEvicted')).toEqual([0]);

    const [call] = sns.commandCalls(PublishCommand);
    const { Subject, Message } = call.args[0].input;
    expect(Subject).toBe(
      `Bulwark staging: ${CAPACITY + 2} not blocked (Recon:EC2/PortProbeUnprotectedPort)`,
    );
    expect(Message).toContain(
      `Per-finding cap reached: ${CAPACITY + 2 - CAP} addresses beyond it not blocked (threatResponse.maxAddressesPerFinding):`,
    );
    expect(Message).toContain(`- ${flood[CAP]}`);
    expect(Message).toContain(
      `${CAP} address(es) left out of a set, as no block there ended sooner`,
    );
  });
});
