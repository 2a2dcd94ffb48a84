import { CloudFrontClient, CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { SSMProvider } from '@aws-lambda-powertools/parameters/ssm';
import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { requireEnv } from '../shared/env';
import { planInvalidation } from './plan';

const logger = new Logger({ serviceName: 'cdn-invalidator' });
const parameterName = requireEnv(process.env, 'DISTRIBUTION_ID_PARAMETER');
const cloudfront = new CloudFrontClient({});
// The distribution lives in the us-east-1 Edge stack, deployed after this function;
// its id is published there as an SSM parameter, read once per execution environment
// (Powertools caches it; a failed read is not cached, so the next batch tries again).
const parameters = new SSMProvider({
  clientConfig: { region: requireEnv(process.env, 'DISTRIBUTION_ID_REGION') },
});
/** Longer than any execution environment lives: the id never changes for a stage. */
const FOREVER_SECONDS = 365 * 24 * 3600;

async function resolveDistributionId(): Promise<string> {
  const id = await parameters.get(parameterName, { maxAge: FOREVER_SECONDS });
  if (!id) throw new Error(`Parameter ${parameterName} holds no distribution id`);
  return id;
}

/**
 * SQS consumer (outside the VPC: CloudFront's API has no VPC endpoint): one
 * CloudFront invalidation per batch of publish events. If CloudFront refuses, the
 * whole batch is reported failed and retried by SQS; unreadable messages alone are
 * reported failed, so that they reach the dead-letter queue.
 */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const plan = planInvalidation(event.Records.map((r) => ({ id: r.messageId, body: r.body })));
  if (plan.rejected.length)
    logger.warn('Unreadable invalidation requests', { messageIds: plan.rejected });
  const failures = plan.rejected.map((itemIdentifier) => ({ itemIdentifier }));
  if (plan.paths.length === 0) return { batchItemFailures: failures };
  try {
    const r = await cloudfront.send(
      new CreateInvalidationCommand({
        DistributionId: await resolveDistributionId(),
        InvalidationBatch: {
          CallerReference: plan.callerReference,
          Paths: { Quantity: plan.paths.length, Items: plan.paths },
        },
      }),
    );
    logger.info('Invalidation created', { id: r.Invalidation?.Id, paths: plan.paths });
    return { batchItemFailures: failures };
  } catch (err) {
    logger.error('Invalidation failed; the batch will be retried', { error: (err as Error).name });
    return {
      batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })),
    };
  }
}
