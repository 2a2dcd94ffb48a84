import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Invalidator } from '../domain/store';

/**
 * Queues invalidations for the cdn-invalidator function. The SQS client is loaded
 * on first use, so that a cold start that publishes nothing does not pay for it.
 */
export class SqsInvalidator implements Invalidator {
  private client?: Promise<{
    sqs: SQSClient;
    send: typeof import('@aws-sdk/client-sqs').SendMessageCommand;
  }>;

  constructor(private readonly queueUrl: string) {}

  async invalidate(paths: string[]): Promise<void> {
    this.client ??= import('@aws-sdk/client-sqs').then((m) => ({
      // Short timeouts: a write waits for this only briefly; the outbox drainer retries.
      sqs: new m.SQSClient({
        maxAttempts: 2,
        requestHandler: { connectionTimeout: 1000, requestTimeout: 2000 },
      }),
      send: m.SendMessageCommand,
    }));
    const { sqs, send } = await this.client;
    await sqs.send(new send({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify({ paths }) }));
  }
}

/** Where no queue is configured (local runs): the invalidation is only logged. */
export class LogInvalidator implements Invalidator {
  constructor(private readonly log: (message: string, paths: string[]) => void) {}

  async invalidate(paths: string[]): Promise<void> {
    this.log('CDN invalidation (no queue configured)', paths);
  }
}
