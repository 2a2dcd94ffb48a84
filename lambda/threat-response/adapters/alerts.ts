import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { AlertMessage } from '../domain/alert-message';

/** Publishes an alert to the stage's alert topic. */
export async function publishAlert(sns: SNSClient, topicArn: string, m: AlertMessage) {
  await sns.send(new PublishCommand({ TopicArn: topicArn, Subject: m.subject, Message: m.body }));
}
