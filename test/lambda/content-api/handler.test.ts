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
  it('answers through the ALB shape and writes one line per request: its metric and what it was, never the key', async () => {
    lines.length = 0;
    process.env._X_AMZN_TRACE_ID = 'Root=1-67890abc-0123456789abcdef01234567';
    const ok = await handler(event('/v1/spaces/alpha/entries', `Bearer ${key}`), context);
    delete process.env._X_AMZN_TRACE_ID;
    const denied = await handler(event('/v1/spaces/alpha/entries', 'Bearer bwk_wrong'), context);
    expect([ok.statusCode, denied.statusCode]).toEqual([200, 401]);
    const output = lines.join('\n');
    expect(output).not.toContain(key);
    expect(output).not.toContain('bwk_wrong');
    const written = lines.join('').split('\n').filter(Boolean);
    expect(written).toHaveLength(2);
    const emf = written.map((l) => JSON.parse(l));
    expect(
      emf.map((m) =>
        Object.keys(m).find((k) => ['Successes', 'ClientErrors', 'ServerErrors'].includes(k)),
      ),
    ).toEqual(['Successes', 'ClientErrors']);
    expect(emf[0]._aws.CloudWatchMetrics[0].Namespace).toBe('Bulwark/ContentApi');
    expect(emf[0]).toMatchObject({
      method: 'GET',
      path: '/v1/spaces/alpha/entries',
      status: '200',
      requestId: 'req-1',
      xrayTraceId: 'Root=1-67890abc-0123456789abcdef01234567',
    });
    expect(emf[1]).toMatchObject({ status: '401', requestId: 'req-1' });
    expect(emf[1]).not.toHaveProperty('xrayTraceId');
    for (const m of emf) expect(Object.keys(m)).not.toContain('authorization');
  });
});
