import fc from 'fast-check';
import { loadStageConfigs } from '../../lib/config';
import {
  API_ROUTES,
  KEY_ROUTES,
  MANAGED_GROUPS,
  MAX_BODY_BYTES,
  OVERSIZED_CONTENT_LENGTH,
  WRITE_METHODS,
  decimalAbove,
  wafRules,
} from '../../lib/constructs/waf-rules';
import { projectContext } from '../support/synth';

const [staging] = loadStageConfigs(projectContext().stages);
const sets = { blockedV4: 'b4', blockedV6: 'b6', trustedV4: 't4', trustedV6: 't6' };

describe('decimalAbove', () => {
  it('matches exactly the numbers above any limit, with or without leading zeros', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9_999_999_999 }),
        fc.integer({ min: 0, max: 99_999_999_999 }),
        fc.nat(3),
        (limit, n, zeros) => {
          const above = new RegExp(decimalAbove(limit));
          expect(above.test('0'.repeat(zeros) + String(n))).toBe(n > limit);
          expect(above.test(String(limit))).toBe(false);
          expect(above.test(String(limit + 1))).toBe(true);
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('refuses what is not a limit', () => {
    expect(() => decimalAbove(-1)).toThrow('Not a limit');
    expect(() => decimalAbove(1.5)).toThrow('Not a limit');
  });
});

describe('OVERSIZED_CONTENT_LENGTH', () => {
  const oversized = new RegExp(OVERSIZED_CONTENT_LENGTH);

  it('matches exactly the lengths above 1 MiB', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99_999_999_999 }), (n) => {
        expect(oversized.test(String(n))).toBe(n > MAX_BODY_BYTES);
      }),
      { numRuns: 20_000 },
    );
  });

  it('is exact at the boundary and ignores leading zeros', () => {
    for (const n of [MAX_BODY_BYTES - 1, MAX_BODY_BYTES]) {
      expect(oversized.test(String(n))).toBe(false);
      expect(oversized.test(`000${n}`)).toBe(false);
    }
    expect(oversized.test(String(MAX_BODY_BYTES + 1))).toBe(true);
    expect(oversized.test(`00${MAX_BODY_BYTES + 1}`)).toBe(true);
    expect(oversized.test('00000001')).toBe(false);
  });
});

describe('route patterns', () => {
  it.each([
    ['/v1/spaces/news/keys', true],
    ['/v1/spaces/news/keys/k_1/rotate', true],
    ['/v1/spaces/news/keystone', false],
    ['/v1/spaces/news/entries', false],
  ])('KEY_ROUTES on %s is %s', (path, hit) => {
    expect(new RegExp(KEY_ROUTES).test(path)).toBe(hit);
  });

  it.each([
    ['POST', true],
    ['DELETE', true],
    ['GET', false],
    ['POSTX', false],
  ])('WRITE_METHODS on %s is %s', (method, hit) => {
    expect(new RegExp(WRITE_METHODS).test(method)).toBe(hit);
  });

  it.each([
    ['/v1/spaces/news/entries', true],
    ['/health', true],
    ['/healthz', false],
    ['/assets/logo.png', false],
  ])('API_ROUTES on %s is %s', (path, hit) => {
    expect(new RegExp(API_ROUTES).test(path)).toBe(hit);
  });
});

describe('wafRules', () => {
  it('reads the viewer from the last X-Forwarded-For entry behind CloudFront', () => {
    const rules = wafRules('origin', staging.edge.waf, sets);
    const blocked = rules[0].statement as any;
    for (const s of blocked.orStatement.statements) {
      expect(s.ipSetReferenceStatement.ipSetForwardedIpConfig).toEqual({
        headerName: 'X-Forwarded-For',
        fallbackBehavior: 'MATCH',
        position: 'LAST',
      });
    }
  });

  it('counts rates at the edge only: behind CloudFront WAF would key on a client-written entry', () => {
    const rateRules = (layer: 'edge' | 'origin') =>
      wafRules(layer, staging.edge.waf, sets)
        .filter((r) => (r.statement as any).rateBasedStatement)
        .map((r) => [r.name, (r.statement as any).rateBasedStatement.aggregateKeyType]);
    expect(rateRules('edge')).toEqual([
      ['RateLimitWritesAndKeys', 'IP'],
      ['RateLimitApi', 'IP'],
      ['RateLimitBrowsers', 'IP'],
    ]);
    expect(rateRules('origin')).toEqual([]);
  });

  it('leaves the address-reputation groups to the edge, where the viewer address is seen', () => {
    const names = (layer: 'edge' | 'origin') =>
      wafRules(layer, staging.edge.waf, sets)
        .filter((r) => (r.statement as any).managedRuleGroupStatement)
        .map((r) => r.name);
    expect(names('edge')).toEqual(MANAGED_GROUPS.map((g) => g.name));
    expect(names('origin')).toEqual(MANAGED_GROUPS.filter((g) => !g.reputation).map((g) => g.name));
  });

  it('exempts trusted CIDRs from the reputation lists but not from content inspection', () => {
    const rules = wafRules('edge', staging.edge.waf, sets);
    for (const group of MANAGED_GROUPS) {
      const statement = (rules.find((r) => r.name === group.name)!.statement as any)
        .managedRuleGroupStatement;
      expect(JSON.stringify(statement.scopeDownStatement ?? null).includes('"t4"')).toBe(
        group.reputation,
      );
    }
  });

  it('counts instead of blocking for a group rolled out in count mode', () => {
    const waf = structuredClone(staging.edge.waf);
    waf.managedRules.sqlInjection.mode = 'count';
    const sqli = wafRules('edge', waf, sets).find((r) => r.name === 'AWSManagedRulesSQLiRuleSet')!;
    expect(sqli.overrideAction).toEqual({ count: {} });
  });
});
