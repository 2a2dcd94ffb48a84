import { DynamoBlockTable } from '../../../lambda/threat-response/adapters/block-table';
import { regionalClients } from '../../../lambda/threat-response/adapters/clients';
import { WafIpSets } from '../../../lambda/threat-response/adapters/waf-ip-sets';
import { AddressPolicy } from '../../../lambda/threat-response/domain/addresses';
import type { Responder } from '../../../lambda/threat-response/domain/respond';
import { LocalWaf } from '../../../scripts/lib/threat/local-waf';
import { type LocalTable, startLocalTable } from '../../../scripts/lib/threat/local-table';
import { testClock } from './fixtures';

process.env.AWS_EC2_METADATA_DISABLED = 'true';

/** Threat response wired to dynalite and the in-memory WAF. */
export interface Harness {
  readonly waf: LocalWaf;
  readonly local: LocalTable;
  readonly table: DynamoBlockTable;
  readonly time: ReturnType<typeof testClock>;
  responder(overrides?: Partial<Responder>): Responder;
  stop(): Promise<void>;
}

/** Starts a fresh table, WAF and clock. */
export async function startHarness(): Promise<Harness> {
  const local = await startLocalTable();
  const waf = new LocalWaf('staging');
  const table = new DynamoBlockTable(local.client, local.tableName);
  const time = testClock();
  const sets = new WafIpSets(waf.locations, regionalClients());
  return {
    waf,
    local,
    table,
    time,
    responder: (overrides = {}) => ({
      addresses: new AddressPolicy(['81.2.69.0/24']),
      policy: { blockDays: 7, maxBlockDays: 30 },
      capacity: 10_000,
      maxAddressesPerFinding: 100,
      sets,
      table,
      clock: time.clock,
      ...overrides,
    }),
    async stop() {
      waf.restore();
      await local.stop();
    },
  };
}
