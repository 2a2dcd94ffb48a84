import {
  GetDetectorCommand,
  type GetDetectorCommandOutput,
  type GuardDutyClient,
  ListDetectorsCommand,
} from '@aws-sdk/client-guardduty';
import { GUARDDUTY_FEATURES } from '../../../lib/constructs/threat-detection';
import { type CheckId, type CheckResult, fail, judge, observed } from './types';

const ENABLED: CheckId = ['THR-DETECT', 'GuardDuty detector is enabled'];
const FEATURES: CheckId = ['THR-DETECT', 'GuardDuty protection plans are enabled'];

/**
 * THR-DETECT: the region's GuardDuty detector is enabled with every protection plan
 * of {@link GUARDDUTY_FEATURES} (GetDetector `Features[].Name`/`Status`).
 *
 * @param detectorId the Security stack's `DetectorId` output, when the stage creates
 *   the detector; otherwise the region's detector is found with ListDetectors.
 */
export async function checkGuardDuty(
  client: GuardDutyClient,
  detectorId?: string,
): Promise<CheckResult[]> {
  return observed(
    [ENABLED, FEATURES],
    async () => {
      const id = detectorId ?? (await client.send(new ListDetectorsCommand({}))).DetectorIds?.[0];
      if (!id) return undefined;
      return { id, detector: await client.send(new GetDetectorCommand({ DetectorId: id })) };
    },
    (seen) => (seen ? judgeDetector(seen.id, seen.detector) : noDetector()),
  );
}

function noDetector(): CheckResult[] {
  const evidence = 'no detector in the region (ListDetectors is empty); expected one, ENABLED';
  return [fail(...ENABLED, evidence), fail(...FEATURES, evidence)];
}

function judgeDetector(id: string, detector: GetDetectorCommandOutput): CheckResult[] {
  const status = new Map((detector.Features ?? []).map((f) => [f.Name, f.Status]));
  const off = GUARDDUTY_FEATURES.filter((name) => status.get(name) !== 'ENABLED');
  return [
    judge(
      ...ENABLED,
      detector.Status === 'ENABLED',
      `detector ${id} is ${detector.Status ?? 'without status'}; expected ENABLED`,
    ),
    judge(
      ...FEATURES,
      off.length === 0,
      off.length === 0
        ? `${GUARDDUTY_FEATURES.join(', ')} ENABLED`
        : `not enabled: ${off.map((name) => `${name} ${status.get(name) ?? 'absent'}`).join(', ')}; expected ${GUARDDUTY_FEATURES.join(', ')} ENABLED`,
    ),
  ];
}
