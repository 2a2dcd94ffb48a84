import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { LocalWaf } from '../../../scripts/lib/threat/local-waf';
import { type LocalTable, startLocalTable } from '../../../scripts/lib/threat/local-table';
import { finding } from './fixtures';

let table: LocalTable;
let waf: LocalWaf;
const sns = mockClient(SNSClient);
let handler: typeof import('../../../lambda/threat-response/handler').handler;
const published: string[] = [];
const savedEnv = { ...process.env };
const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:bulwark-staging-alerts';

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
    MAX_ADDRESSES_PER_SET: '10000',
    MAX_ADDRESSES_PER_FINDING: '100',
    BLOCKLISTS: JSON.stringify(waf.locations),
    TABLE_NAME: table.tableName,
    ALERT_TOPIC_ARN: TOPIC,
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

const metric = (name: string) =>
  published
    .map((line) => JSON.parse(line))
    .filter((m) => m._aws && name in m)
    .map((m) => m[name] as number);

describe('threat-response handler', () => {
  it('blocks a finding’s addresses, pages on-call once and counts the blocks', async () => {
    const d = await handler(finding('port-probe-multi'));
    expect(d).toMatchObject({ outcome: 'blocked' });
    expect(waf.addresses('edge', 'v4')).toEqual(['89.248.165.52/32', '193.142.146.35/32']);
    const calls = sns.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0].args[0].input;
    expect(input.TopicArn).toBe(TOPIC);
    expect(input.Subject).toBe(
      'Bulwark staging: blocked 2 addresses (Recon:EC2/PortProbeUnprotectedPort)',
    );
    expect(input.Message).toContain('- 89.248.165.52/32 until 2026-');
    expect(metric('AddressesBlocked')).toEqual([2]);
  });

  it('pages nobody when a redelivered finding blocks nothing new', async () => {
    await handler(finding('port-probe-multi'));
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    expect(metric('AddressesBlocked')).toEqual([0]);
  });

  it('sweeps on the schedule’s input', async () => {
    const r = await handler({ action: 'sweep' });
    expect(r).toEqual({ expired: [], reblocked: [], setsUpdated: [] });
    expect(metric('BlocksExpired')).toEqual([0]);
  });

  it('fails on an event that is not a finding, so that it reaches the dead-letter queue', async () => {
    await expect(handler({ source: 'aws.ec2' })).rejects.toThrow(/Not a GuardDuty finding/);
  });
});
