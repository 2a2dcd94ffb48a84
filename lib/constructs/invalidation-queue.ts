import { Duration } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledge } from '../compliance/acknowledgements';

/** Properties of an {@link InvalidationQueue}. */
export interface InvalidationQueueProps {
  /** Customer key of the queue and its dead-letter queue. */
  readonly encryptionKey: kms.IKey;
}

/**
 * CDN invalidation requests from the content API (AVL-CDN): paths whose cached
 * copies must go after a publish, update or delete. KMS-encrypted, TLS only; a
 * message that fails five times moves to the dead-letter queue.
 */
export class InvalidationQueue extends Construct {
  /** The queue the API sends to. */
  readonly queue: sqs.Queue;
  /** Messages that could not be processed. */
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: InvalidationQueueProps) {
    super(scope, id);
    const common = {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      dataKeyReuse: Duration.hours(1),
      enforceSSL: true,
    };
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      ...common,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(this.deadLetterQueue, 'queueDeadLetterQueue');
    this.queue = new sqs.Queue(this, 'Resource', {
      ...common,
      retentionPeriod: Duration.days(1),
      visibilityTimeout: Duration.minutes(5),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 5 },
    });
    if (!(props.encryptionKey instanceof kms.Key)) {
      acknowledge(this.queue, 'importedKeyQueue');
      acknowledge(this.deadLetterQueue, 'importedKeyQueue');
    }
  }
}
