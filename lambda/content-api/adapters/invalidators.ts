import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Invalidator } from '../domain/store';

/** Queues invalidations for the cdn-invalidator function. */
export class SqsInvalidator implements Invalidator {
  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async invalidate(paths: string[]): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify({ paths }) }),
    );
  }
}

/** Where no queue is configured (local runs): the invalidation is only logged. */
export class LogInvalidator implements Invalidator {
  constructor(private readonly log: (message: string, paths: string[]) => void) {}

  async invalidate(paths: string[]): Promise<void> {
    this.log('CDN invalidation (no queue configured)', paths);
  }
}
