import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { LocalWaf } from '../../../scripts/lib/threat/local-waf';
import { type LocalTable, startLocalTable } from '../../../scripts/lib/threat/local-table';

/** The alert topic the handler is configured with. */
export const TOPIC = 'arn:aws:sns:eu-west-1:111122223333:bulwark-staging-alerts';

/**
 * The real threat-response handler, configured through its environment as the
 * stack configures it, over a local DynamoDB-protocol table and an in-memory WAF,
 * with SNS mocked and the metrics it prints (EMF on stdout) captured. Registers its
 * own jest hooks; call it at the top of a test file.
 */
export function useThreatHandler(env: Record<string, string> = {}) {
  const sns = mockClient(SNSClient);
  const published: string[] = [];
  const savedEnv = { ...process.env };
  const h = {
    sns,
    table: undefined as unknown as LocalTable,
    waf: undefined as unknown as LocalWaf,
    handler:
      undefined as unknown as typeof import('../../../lambda/threat-response/handler').handler,
    /** The values the handler emitted for a metric. */
    metric: (name: string) =>
      published
        .map((line) => JSON.parse(line))
        .filter((m) => m._aws && name in m)
        .map((m) => m[name] as number),
  };
  beforeAll(async () => {
    h.table = await startLocalTable();
    h.waf = new LocalWaf('staging');
    Object.assign(process.env, {
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: h.table.endpoint,
      STAGE: 'staging',
      TRUSTED_CIDRS: JSON.stringify(['81.2.69.0/24']),
      BLOCK_DAYS: '7',
      MAX_BLOCK_DAYS: '30',
      MAX_ADDRESSES_PER_SET: '10000',
      MAX_ADDRESSES_PER_FINDING: '100',
      BLOCKLISTS: JSON.stringify(h.waf.locations),
      TABLE_NAME: h.table.tableName,
      ALERT_TOPIC_ARN: TOPIC,
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      ...env,
    });
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      published.push(String(chunk));
      return true;
    });
    ({ handler: h.handler } = await import('../../../lambda/threat-response/handler'));
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    sns.restore();
    h.waf.restore();
    await h.table.stop();
    process.env = savedEnv;
  });
  beforeEach(() => {
    sns.reset();
    sns.on(PublishCommand).resolves({ MessageId: 'a5b2c9d0-1e3f-4a5b-8c7d-9e0f1a2b3c4d' });
    published.length = 0;
  });
  return h;
}
