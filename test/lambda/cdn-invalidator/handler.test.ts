import {
  CloudFrontClient,
  CreateInvalidationCommand,
  TooManyInvalidationsInProgress,
} from '@aws-sdk/client-cloudfront';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { MAX_WILDCARD_PATHS, planInvalidation } from '../../../lambda/cdn-invalidator/plan';

process.env.DISTRIBUTION_ID_PARAMETER = '/bulwark/staging/edge/distribution-id';
process.env.DISTRIBUTION_ID_REGION = 'us-east-1';
process.env.AWS_REGION = 'eu-west-1';
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
const cloudfront = mockClient(CloudFrontClient);
const ssm = mockClient(SSMClient);
/** GetParameter's response, as in the Systems Manager API reference. */
const parameter = {
  Parameter: {
    Name: '/bulwark/staging/edge/distribution-id',
    Type: 'String' as const,
    Value: 'E2QWRUHAPOMQZL',
    Version: 1,
    ARN: 'arn:aws:ssm:us-east-1:111111111111:parameter/bulwark/staging/edge/distribution-id',
    DataType: 'text',
  },
};
let handler: typeof import('../../../lambda/cdn-invalidator/handler').handler;
beforeAll(async () => {
  ({ handler } = await import('../../../lambda/cdn-invalidator/handler'));
});

const record = (id: string, body: unknown): SQSRecord =>
  ({ messageId: id, body: typeof body === 'string' ? body : JSON.stringify(body) }) as SQSRecord;
const sqsEvent = (...records: SQSRecord[]): SQSEvent => ({ Records: records });
const paths = (space: string, id: string) => [
  `/v1/spaces/${space}/entries/${id}*`,
  `/v1/spaces/${space}/entries*`,
];

/** CreateInvalidation's response, as in the CloudFront API reference. */
const created = {
  Location:
    'https://cloudfront.amazonaws.com/2020-05-31/distribution/E2QWRUHAPOMQZL/invalidation/I2J0I21PCUYOIK',
  Invalidation: {
    Id: 'I2J0I21PCUYOIK',
    Status: 'InProgress',
    CreateTime: new Date('2026-11-25T12:00:00Z'),
    InvalidationBatch: { CallerReference: 'x', Paths: { Quantity: 1, Items: ['/v1/*'] } },
  },
};

beforeEach(() => {
  cloudfront.reset();
  ssm.reset();
  ssm.on(GetParameterCommand).resolves(parameter);
});

describe('planInvalidation', () => {
  it('deduplicates the paths of a batch', () => {
    const plan = planInvalidation([
      { id: 'a', body: JSON.stringify({ paths: paths('news', '1') }) },
      { id: 'b', body: JSON.stringify({ paths: paths('news', '1') }) },
    ]);
    expect(plan.paths).toEqual(['/v1/spaces/news/entries*', '/v1/spaces/news/entries/1*']);
    expect(plan.rejected).toEqual([]);
  });

  it(`collapses to one wildcard per space past ${MAX_WILDCARD_PATHS} paths, then to /v1/*`, () => {
    const many = Array.from({ length: 20 }, (_, i) => ({
      id: `m${i}`,
      body: JSON.stringify({ paths: paths(i < 10 ? 'a' : 'b', String(i)) }),
    }));
    expect(planInvalidation(many).paths).toEqual(['/v1/spaces/a/*', '/v1/spaces/b/*']);
    const spaces = Array.from({ length: 20 }, (_, i) => ({
      id: `s${i}`,
      body: JSON.stringify({ paths: paths(`space-${i}`, '1') }),
    }));
    expect(planInvalidation(spaces).paths).toEqual(['/v1/*']);
  });

  it('rejects unreadable messages and paths outside the API', () => {
    const plan = planInvalidation([
      { id: 'json', body: '{' },
      { id: 'empty', body: JSON.stringify({ paths: [] }) },
      { id: 'outside', body: JSON.stringify({ paths: ['/admin/*'] }) },
      { id: 'ok', body: JSON.stringify({ paths: paths('news', '1') }) },
    ]);
    expect(plan.rejected).toEqual(['json', 'empty', 'outside']);
    expect(plan.paths).toHaveLength(2);
  });

  it('derives the same caller reference for the same messages, in any order', () => {
    const a = { id: 'a', body: JSON.stringify({ paths: paths('x', '1') }) };
    const b = { id: 'b', body: JSON.stringify({ paths: paths('x', '2') }) };
    expect(planInvalidation([a, b]).callerReference).toBe(planInvalidation([b, a]).callerReference);
    expect(planInvalidation([a]).callerReference).not.toBe(
      planInvalidation([a, b]).callerReference,
    );
  });
});

describe('cdn-invalidator handler', () => {
  // First handler test: the function instance has not read the parameter yet.
  it('retries a batch whose distribution id is not yet published, and reads it once found', async () => {
    cloudfront.on(CreateInvalidationCommand).resolves(created);
    ssm
      .on(GetParameterCommand)
      .rejectsOnce(new ParameterNotFound({ message: '', $metadata: { httpStatusCode: 400 } }))
      .resolves(parameter);
    const first = await handler(sqsEvent(record('1', { paths: paths('news', 'a') })));
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: '1' }]);
    expect(cloudfront.commandCalls(CreateInvalidationCommand)).toHaveLength(0);

    expect(
      (await handler(sqsEvent(record('2', { paths: paths('news', 'b') })))).batchItemFailures,
    ).toEqual([]);
    await handler(sqsEvent(record('3', { paths: paths('news', 'c') })));
    expect(cloudfront.commandCalls(CreateInvalidationCommand)).toHaveLength(2);
    // Read again after the failure, then cached for the life of the instance.
    expect(ssm.commandCalls(GetParameterCommand)).toHaveLength(2);
    expect(ssm.commandCalls(GetParameterCommand)[0].args[0].input).toEqual({
      Name: '/bulwark/staging/edge/distribution-id',
      WithDecryption: false,
    });
  });

  it('creates one invalidation per batch on the configured distribution', async () => {
    cloudfront.on(CreateInvalidationCommand).resolves(created);
    const r = await handler(
      sqsEvent(
        record('1', { paths: paths('news', 'a') }),
        record('2', { paths: paths('news', 'b') }),
      ),
    );
    expect(r.batchItemFailures).toEqual([]);
    const calls = cloudfront.commandCalls(CreateInvalidationCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0].args[0].input).toMatchObject({
      DistributionId: 'E2QWRUHAPOMQZL',
      InvalidationBatch: { Paths: { Quantity: 3 } },
    });
  });

  it('reports the whole batch failed when CloudFront refuses, so SQS retries it', async () => {
    cloudfront.on(CreateInvalidationCommand).rejects(
      new TooManyInvalidationsInProgress({
        message:
          'Processing your request will cause you to exceed the maximum number of in-progress wildcard invalidations.',
        $metadata: { httpStatusCode: 400 },
      }),
    );
    const r = await handler(
      sqsEvent(
        record('1', { paths: paths('news', 'a') }),
        record('2', { paths: paths('news', 'b') }),
      ),
    );
    expect(r.batchItemFailures).toEqual([{ itemIdentifier: '1' }, { itemIdentifier: '2' }]);
  });

  it('fails only unreadable messages, and calls CloudFront for none when all are', async () => {
    cloudfront.on(CreateInvalidationCommand).resolves(created);
    expect(await handler(sqsEvent(record('bad', 'nope')))).toEqual({
      batchItemFailures: [{ itemIdentifier: 'bad' }],
    });
    expect(cloudfront.commandCalls(CreateInvalidationCommand)).toHaveLength(0);
    const mixed = await handler(
      sqsEvent(record('bad', 'nope'), record('ok', { paths: paths('n', '1') })),
    );
    expect(mixed.batchItemFailures).toEqual([{ itemIdentifier: 'bad' }]);
    expect(cloudfront.commandCalls(CreateInvalidationCommand)).toHaveLength(1);
  });
});
