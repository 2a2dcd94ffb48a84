import type { ALBEvent, Context } from 'aws-lambda';
import { createTestDatabase, type TestDatabase } from '../../support/database';
import { createSpaceWithAdmin } from '../../../scripts/lib/spaces';

let db: TestDatabase;
let key: string;
let handler: (event: ALBEvent, context: Context) => Promise<{ statusCode: number }>;
const lines: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase({ migrate: false });
  ({ key } = await createSpaceWithAdmin(db.pool, 'alpha', Buffer.from('handler-pepper')));
  process.env.DATABASE_URL = db.url;
  process.env.API_KEY_PEPPER = 'handler-pepper';
  process.env.POWERTOOLS_DEV = 'false';
  for (const stream of [process.stdout, process.stderr]) {
    jest.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
  }
  jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  jest.spyOn(console, 'info').mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  jest
    .spyOn(console, 'error')
    .mockImplementation((...a: unknown[]) => void lines.push(a.join(' ')));
  ({ handler } = await import('../../../lambda/content-api/handler'));
});
afterAll(async () => {
  await db.drop(); // before the mocks go: the pool logs the connections it loses
  jest.restoreAllMocks();
  delete process.env.DATABASE_URL;
  delete process.env.API_KEY_PEPPER;
});

const event = (path: string, authorization?: string): ALBEvent => ({
  requestContext: {
    elb: {
      targetGroupArn: 'arn:aws:elasticloadbalancing:eu-west-1:111111111111:targetgroup/api/1',
    },
  },
  httpMethod: 'GET',
  path,
  queryStringParameters: {},
  headers: authorization ? { authorization } : {},
  body: null,
  isBase64Encoded: false,
});
const context = { functionName: 'content-api', awsRequestId: 'req-1' } as Context;

describe('content API Lambda handler', () => {
  it('answers through the ALB shape, logs each request without the key, and counts outcomes', async () => {
    const ok = await handler(event('/v1/spaces/alpha/entries', `Bearer ${key}`), context);
    const denied = await handler(event('/v1/spaces/alpha/entries', 'Bearer bwk_wrong'), context);
    expect([ok.statusCode, denied.statusCode]).toEqual([200, 401]);
    const output = lines.join('\n');
    expect(output).not.toContain(key);
    expect(output).not.toContain('bwk_wrong');
    expect(output).toContain('"path":"/v1/spaces/alpha/entries"');
    const emf = lines.filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l));
    expect(
      emf.map((m) =>
        Object.keys(m).find((k) => ['Successes', 'ClientErrors', 'ServerErrors'].includes(k)),
      ),
    ).toEqual(['Successes', 'ClientErrors']);
    expect(emf[0]._aws.CloudWatchMetrics[0].Namespace).toBe('Bulwark/ContentApi');
  });
});
