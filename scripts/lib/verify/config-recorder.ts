import {
  type ConfigServiceClient,
  DescribeConfigurationRecordersCommand,
  DescribeConfigurationRecorderStatusCommand,
  DescribeDeliveryChannelsCommand,
} from '@aws-sdk/client-config-service';
import { type CheckId, type CheckResult, fail, judge, observed } from './types';

const RECORDING: CheckId = [
  'MON-AUDIT',
  'AWS Config records every resource type, global ones included',
];
const DELIVERY: CheckId = ['MON-AUDIT', 'AWS Config delivers to a bucket with a customer key'];

/**
 * MON-AUDIT (and Security Hub's Config.1): the region's AWS Config recorder is recording
 * every supported resource type and the global ones, and its delivery channel writes
 * to a bucket with a KMS key. `recorderName` is the Security stack's output when the
 * stage creates the recorder; otherwise the account's recorder is judged.
 */
export async function checkConfigRecorder(
  client: ConfigServiceClient,
  recorderName: string | undefined,
): Promise<CheckResult[]> {
  return observed(
    [RECORDING, DELIVERY],
    async () => {
      const recorders =
        (await client.send(new DescribeConfigurationRecordersCommand({}))).ConfigurationRecorders ??
        [];
      const recorder =
        recorders.find((r) => r.name === recorderName) ??
        (recorderName ? undefined : recorders.find((r) => !r.servicePrincipal));
      const channels =
        (await client.send(new DescribeDeliveryChannelsCommand({}))).DeliveryChannels ?? [];
      if (!recorder) return { recorder: undefined, recording: false, channels };
      const status = (
        await client.send(
          new DescribeConfigurationRecorderStatusCommand({
            ConfigurationRecorderNames: [recorder.name!],
          }),
        )
      ).ConfigurationRecordersStatus?.[0];
      return { recorder, recording: status?.recording === true, channels };
    },
    ({ recorder, recording, channels }) => {
      const channel = channels[0];
      const delivery = judge(
        ...DELIVERY,
        channel !== undefined && Boolean(channel.s3BucketName) && Boolean(channel.s3KmsKeyArn),
        channel
          ? `channel ${channel.name} to ${channel.s3BucketName}, key ${channel.s3KmsKeyArn ?? 'none (SSE-S3)'}`
          : 'no delivery channel: nothing is delivered',
      );
      if (!recorder) {
        const evidence = recorderName
          ? `no recorder ${recorderName} in the region; expected the Security stack's`
          : 'no configuration recorder in the region';
        return [fail(...RECORDING, evidence), delivery];
      }
      const group = recorder.recordingGroup;
      const everything = group?.allSupported === true && group.includeGlobalResourceTypes === true;
      return [
        judge(
          ...RECORDING,
          recording && everything,
          `recorder ${recorder.name}: ${recording ? 'recording' : 'NOT recording'}, allSupported ${group?.allSupported ?? false}, includeGlobalResourceTypes ${group?.includeGlobalResourceTypes ?? false}; expected recording every type`,
        ),
        delivery,
      ];
    },
  );
}
