import {
  GetIPSetCommand,
  UpdateIPSetCommand,
  WAFLimitsExceededException,
  WAFNonexistentItemException,
  WAFOptimisticLockException,
  WAFV2Client,
} from '@aws-sdk/client-wafv2';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { randomUUID } from 'node:crypto';
import type { Layer } from '../../../lambda/threat-response/domain/ports';
import { blocklistLocations } from '../../../lib/config';

/** WAF's per-set address limit. */
const WAF_MAX_ADDRESSES = 10_000;

interface StoredSet {
  arn: string;
  name: string;
  id: string;
  description: string;
  version: 'IPV4' | 'IPV6';
  addresses: string[];
  lockToken: string;
}

/**
 * The WAF and SSM APIs threat response calls, served in memory through
 * aws-sdk-client-mock (WAF has no local server). Behaves as the AWS API reference
 * documents: `UpdateIPSet` with a stale lock token fails with
 * `WAFOptimisticLockException`, an unknown set with `WAFNonexistentItemException`,
 * more than 10,000 addresses with `WAFLimitsExceededException`, and a missing
 * parameter with `ParameterNotFound`.
 */
export class LocalWaf {
  private readonly sets = new Map<string, StoredSet>();
  private readonly parameters = new Map<string, string>();
  private readonly waf = mockClient(WAFV2Client);
  private readonly ssm = mockClient(SSMClient);
  /** Every `UpdateIPSet` accepted, in order (set ARN and address count). */
  readonly updates: Array<{ arn: string; addresses: number }> = [];
  /** Lock conflicts still to inject: the next N updates fail as if another writer won. */
  injectLockConflicts = 0;

  constructor(
    readonly stage: string,
    readonly account = '111122223333',
    readonly region = 'eu-west-1',
  ) {
    for (const layer of ['origin', 'edge'] as const) this.addLayer(layer);
    this.waf.on(GetIPSetCommand).callsFake((input: { Id: string }) => {
      const s = this.byId(input.Id);
      return {
        IPSet: {
          Name: s.name,
          Id: s.id,
          ARN: s.arn,
          Description: s.description,
          IPAddressVersion: s.version,
          Addresses: [...s.addresses],
        },
        LockToken: s.lockToken,
      };
    });
    this.waf
      .on(UpdateIPSetCommand)
      .callsFake(
        (input: { Id: string; Addresses: string[]; LockToken: string; Description?: string }) => {
          const s = this.byId(input.Id);
          if (this.injectLockConflicts > 0 || input.LockToken !== s.lockToken) {
            if (this.injectLockConflicts > 0) {
              this.injectLockConflicts -= 1;
              s.lockToken = randomUUID(); // another writer's update
            }
            throw new WAFOptimisticLockException({
              message:
                'AWS WAF couldn’t save your changes because you tried to update or delete a resource that has changed since you last retrieved it. Get the resource again, make any changes you need to make to the new copy, and retry your operation.',
              $metadata: { httpStatusCode: 400 },
            });
          }
          if (input.Addresses.length > WAF_MAX_ADDRESSES) {
            throw new WAFLimitsExceededException({
              message:
                'AWS WAF couldn’t perform the operation because you exceeded your resource limit.',
              $metadata: { httpStatusCode: 400 },
            });
          }
          s.addresses = [...input.Addresses];
          s.description = input.Description ?? '';
          s.lockToken = randomUUID();
          this.updates.push({ arn: s.arn, addresses: s.addresses.length });
          return { NextLockToken: s.lockToken };
        },
      );
    this.ssm.on(GetParameterCommand).callsFake((input: { Name: string }) => {
      const value = this.parameters.get(input.Name);
      if (value === undefined) {
        throw new ParameterNotFound({ message: '', $metadata: { httpStatusCode: 400 } });
      }
      return { Parameter: { Name: input.Name, Type: 'String', Value: value, Version: 1 } };
    });
  }

  /** Addresses of a layer's blocklist set. */
  addresses(layer: Layer, family: 'v4' | 'v6'): string[] {
    return [...this.set(layer, family).addresses];
  }

  /** Replaces a set's addresses, as an operator or another writer would. */
  seed(layer: Layer, family: 'v4' | 'v6', addresses: string[]): void {
    const s = this.set(layer, family);
    s.addresses = [...addresses];
    s.lockToken = randomUUID();
  }

  /** Forgets a layer's parameter, as before its stack is deployed. */
  unpublish(layer: Layer): void {
    this.parameters.delete(this.parameterName(layer));
  }

  /** Puts the real SDK clients back. */
  restore(): void {
    this.waf.restore();
    this.ssm.restore();
  }

  /** Where each layer's stack publishes its blocklist, as the deployed function reads it. */
  get locations() {
    return blocklistLocations({ name: this.stage, region: this.region });
  }

  /** The SSM parameter a layer's stack publishes. */
  parameterName(layer: Layer): string {
    return this.locations.find((l) => l.layer === layer)!.parameter;
  }

  /** Region of a layer's sets and parameter. */
  regionOf(layer: Layer): string {
    return this.locations.find((l) => l.layer === layer)!.region;
  }

  private addLayer(layer: Layer) {
    const arns: Record<string, string> = {};
    for (const family of ['v4', 'v6'] as const) {
      const name = `bulwark-${this.stage}-${layer}-blocked${family}`;
      const id = randomUUID();
      const scope = layer === 'edge' ? 'global' : 'regional';
      const arn = `arn:aws:wafv2:${this.regionOf(layer)}:${this.account}:${scope}/ipset/${name}/${id}`;
      this.sets.set(id, {
        arn,
        name,
        id,
        description: `Blocked by threat response, IP${family}`,
        version: family === 'v4' ? 'IPV4' : 'IPV6',
        addresses: [],
        lockToken: randomUUID(),
      });
      arns[family] = arn;
    }
    this.parameters.set(this.parameterName(layer), JSON.stringify(arns));
  }

  private set(layer: Layer, family: 'v4' | 'v6'): StoredSet {
    const name = `bulwark-${this.stage}-${layer}-blocked${family}`;
    const s = [...this.sets.values()].find((x) => x.name === name);
    if (!s) throw new Error(`no set ${name}`);
    return s;
  }

  private byId(id: string): StoredSet {
    const s = this.sets.get(id);
    if (!s) {
      throw new WAFNonexistentItemException({
        message: 'AWS WAF couldn’t perform the operation because your resource doesn’t exist.',
        $metadata: { httpStatusCode: 400 },
      });
    }
    return s;
  }
}
