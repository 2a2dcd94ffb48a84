import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as sqs from 'aws-cdk-lib/aws-sqs';

/** What SQS asks of KMS on a sender's behalf when a queue uses a customer key. */
export const QUEUE_SENDER_KEY_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt'] as const;

/**
 * Lets `grantee` send to `queue` (MON-ALERT: every dead-letter path can use its
 * queue's key). SQS encrypts each message with a data key that it asks KMS for in
 * the sender's name, so a sender to a queue with a customer key needs
 * `kms:GenerateDataKey` and `kms:Decrypt` on that key besides `sqs:SendMessage`;
 * without them the message, often a failure report, is refused. The key may be used
 * only through SQS in the queue's region.
 *
 * `sqs:SendMessage` is added only when `includeSend` is true: CDK adds it itself
 * where it wires a dead-letter queue (functions, schedules).
 */
export function grantQueueSend(
  grantee: iam.IGrantable,
  queue: sqs.IQueue,
  options: { readonly includeSend?: boolean } = {},
): void {
  const principal = grantee.grantPrincipal;
  if (options.includeSend) {
    principal.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }),
    );
  }
  const key = queue.encryptionMasterKey;
  if (!key) return;
  principal.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: [...QUEUE_SENDER_KEY_ACTIONS],
      resources: [key.keyArn],
      conditions: {
        StringEquals: { 'kms:ViaService': `sqs.${Stack.of(queue).region}.amazonaws.com` },
      },
    }),
  );
}
