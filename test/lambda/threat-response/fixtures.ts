import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Clock } from '../../../lambda/threat-response/domain/ports';

const dir = path.join(__dirname, '..', '..', 'fixtures', 'guardduty');

/** A GuardDuty finding event from `test/fixtures/guardduty/`. */
export function finding(name: string): Record<string, any> {
  return JSON.parse(fs.readFileSync(path.join(dir, `${name}.json`), 'utf8'));
}

/** The same finding as GuardDuty sends it again later (a repeat sighting). */
export function updated(event: Record<string, any>, updatedAt: string): Record<string, any> {
  return { ...event, detail: { ...event.detail, updatedAt } };
}

/** A clock the test moves; sleeps are recorded, not waited. */
export function testClock(start = Date.UTC(2026, 10, 25, 12) / 1000) {
  const sleeps: number[] = [];
  let now = start;
  const clock: Clock = {
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
  };
  return {
    clock,
    sleeps,
    advanceDays(days: number) {
      now += days * 86_400;
    },
    get now() {
      return now;
    },
  };
}

/**
 * A port-probe finding (from `port-probe-multi.json`) whose probes come from
 * `addresses`, one `portProbeDetails` entry each; IPv6 ones in `ipAddressV6`.
 */
export function probeFrom(
  addresses: readonly string[],
  { id = 'f1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6', updatedAt = '2026-11-25T12:00:00.000Z' } = {},
): Record<string, any> {
  const event = finding('port-probe-multi');
  const [template] = event.detail.service.action.portProbeAction.portProbeDetails;
  event.detail.id = id;
  event.detail.updatedAt = updatedAt;
  event.detail.service.action.portProbeAction.portProbeDetails = addresses.map((a) => ({
    ...template,
    remoteIpDetails: {
      ...template.remoteIpDetails,
      ipAddressV4: undefined,
      [a.includes(':') ? 'ipAddressV6' : 'ipAddressV4']: a,
    },
  }));
  return JSON.parse(JSON.stringify(event)); // drops the undefined keys, as JSON would
}
