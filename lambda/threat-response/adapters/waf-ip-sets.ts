import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { GetIPSetCommand, UpdateIPSetCommand, type WAFV2Client } from '@aws-sdk/client-wafv2';
import { parseWafArn } from '../../shared/waf-arn';
import type { Family } from '../domain/addresses';
import {
  type IpSetRef,
  type IpSetSnapshot,
  type IpSets,
  type Layer,
  LockConflictError,
} from '../domain/ports';

/** Where one web ACL publishes its blocklist set ARNs (an SSM parameter in its region). */
export interface BlocklistLocation {
  readonly layer: Layer;
  readonly region: string;
  /** Parameter holding `{"v4": "<ip set arn>", "v6": "<ip set arn>"}`. */
  readonly parameter: string;
}

/** SDK clients per region. */
export interface RegionalClients {
  ssm(region: string): SSMClient;
  waf(region: string): WAFV2Client;
}

/** Reads an IP set ARN into the name, id and scope the WAF API takes. */
export function parseIpSetArn(arn: string, layer: Layer, family: Family): IpSetRef {
  const parts = parseWafArn(arn);
  if (parts?.kind !== 'ipset') throw new Error(`Not a WAF IP set ARN: ${arn}`);
  const { region, scope, name, id } = parts;
  return { layer, family, arn, region, scope, name, id };
}

/**
 * The blocklist IP sets of both web ACLs through the WAF API. The sets belong to
 * stacks deployed after the threat-response function (App, and Edge in us-east-1);
 * each publishes its set ARNs in an SSM parameter, read once per cold start.
 */
export class WafIpSets implements IpSets {
  private refs?: Promise<IpSetRef[]>;

  constructor(
    private readonly locations: readonly BlocklistLocation[],
    private readonly clients: RegionalClients,
  ) {}

  list(): Promise<IpSetRef[]> {
    this.refs ??= Promise.all(this.locations.map((l) => this.resolve(l)))
      .then((perLayer) => perLayer.flat())
      .catch((err: unknown) => {
        this.refs = undefined; // a stack deployed later may publish it
        throw err;
      });
    return this.refs;
  }

  async read(ref: IpSetRef): Promise<IpSetSnapshot> {
    const r = await this.clients
      .waf(ref.region)
      .send(new GetIPSetCommand({ Name: ref.name, Scope: ref.scope, Id: ref.id }));
    if (!r.IPSet || !r.LockToken) throw new Error(`GetIPSet returned no set for ${ref.arn}`);
    return {
      addresses: r.IPSet.Addresses ?? [],
      lockToken: r.LockToken,
      description: r.IPSet.Description,
    };
  }

  async write(ref: IpSetRef, snapshot: IpSetSnapshot, addresses: readonly string[]) {
    try {
      await this.clients.waf(ref.region).send(
        new UpdateIPSetCommand({
          Name: ref.name,
          Scope: ref.scope,
          Id: ref.id,
          Addresses: [...addresses],
          LockToken: snapshot.lockToken,
          ...(snapshot.description !== undefined && { Description: snapshot.description }),
        }),
      );
    } catch (err) {
      if ((err as Error).name === 'WAFOptimisticLockException') {
        throw new LockConflictError(`${ref.arn} changed since it was read`);
      }
      throw err;
    }
  }

  private async resolve(location: BlocklistLocation): Promise<IpSetRef[]> {
    let r;
    try {
      r = await this.clients
        .ssm(location.region)
        .send(new GetParameterCommand({ Name: location.parameter }));
    } catch (err) {
      if ((err as Error).name !== 'ParameterNotFound') throw err;
      throw new Error(
        `Blocklist parameter ${location.parameter} not found in ${location.region}: is the stack of the ${location.layer} web ACL deployed?`,
      );
    }
    let arns: { v4?: unknown; v6?: unknown };
    try {
      arns = JSON.parse(r.Parameter?.Value ?? '') as typeof arns;
    } catch {
      throw new Error(`Parameter ${location.parameter} does not hold the blocklist set ARNs`);
    }
    return (['v4', 'v6'] as const).map((family) => {
      const arn = arns[family];
      if (typeof arn !== 'string') {
        throw new Error(`Parameter ${location.parameter} has no ${family} blocklist ARN`);
      }
      return parseIpSetArn(arn, location.layer, family);
    });
  }
}
