/** Scope, name and id of a WAFv2 ARN, as the WAF API takes them. */
export interface WafArnParts {
  readonly region: string;
  readonly scope: 'REGIONAL' | 'CLOUDFRONT';
  /** `webacl`, `ipset`, ... */
  readonly kind: string;
  readonly name: string;
  readonly id: string;
}

const WAF_ARN = /^arn:[^:]+:wafv2:([^:]*):\d*:(regional|global)\/([a-z]+)\/([^/]+)\/([^/]+)$/;

/**
 * Reads `arn:aws:wafv2:<region>:<account>:<regional|global>/<kind>/<name>/<id>`;
 * `undefined` for anything else.
 */
export function parseWafArn(arn: string): WafArnParts | undefined {
  const m = WAF_ARN.exec(arn);
  return m
    ? {
        region: m[1],
        scope: m[2] === 'global' ? 'CLOUDFRONT' : 'REGIONAL',
        kind: m[3],
        name: m[4],
        id: m[5],
      }
    : undefined;
}
