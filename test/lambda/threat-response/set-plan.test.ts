import fc from 'fast-check';
import {
  type Expiring,
  chooseEvictions,
  planSetUpdate,
} from '../../../lambda/threat-response/domain/set-plan';

const block = (address: string, expiresAt: number): Expiring => ({ address, expiresAt });

describe('chooseEvictions', () => {
  it('evicts the soonest-ending blocks for newcomers that outlive them', () => {
    const set = [block('a', 5), block('b', 9), block('c', 3)];
    expect(chooseEvictions(0, [block('n', 7), block('m', 8)], set)).toEqual(['c', 'a']);
  });

  it('evicts nothing for a newcomer that ends no later than every block', () => {
    expect(chooseEvictions(0, [block('n', 3)], [block('a', 3), block('b', 9)])).toEqual([]);
  });

  it('admits the longest-lived newcomers when only some can be', () => {
    // Room for one more: `m` (ends 8) may replace `a` (ends 5); `n` (ends 4) may not.
    expect(chooseEvictions(0, [block('n', 4), block('m', 8)], [block('a', 5)])).toEqual(['a']);
  });

  it('uses free room first and evicts nothing when the newcomers fit', () => {
    expect(chooseEvictions(2, [block('n', 1), block('m', 1)], [block('a', 0)])).toEqual([]);
    // `m` takes the free place; `n` cannot replace `a`, which outlives it.
    expect(chooseEvictions(1, [block('n', 4), block('m', 8)], [block('a', 5)])).toEqual([]);
    expect(chooseEvictions(1, [block('n', 6), block('m', 8)], [block('a', 5)])).toEqual(['a']);
  });

  it('does not shrink an over-full set at the cost of longer blocks', () => {
    // Over capacity by 2 (the limit was lowered): one newcomer would need 3 evictions.
    expect(
      chooseEvictions(-2, [block('n', 7)], [block('a', 1), block('b', 2), block('c', 30)]),
    ).toEqual([]);
    expect(
      chooseEvictions(-2, [block('n', 7)], [block('a', 1), block('b', 2), block('c', 3)]),
    ).toEqual(['a', 'b', 'c']);
  });

  /** Brute force over every subset: the most newcomers admissible, independently. */
  function mostAdmissible(free: number, newcomers: Expiring[], evictable: Expiring[]): number {
    let best = 0;
    for (let n = 0; n < 1 << newcomers.length; n++) {
      const admitted = newcomers.filter((_, i) => n & (1 << i));
      const needed = Math.max(0, admitted.length - free);
      const shortest = Math.min(...admitted.map((b) => b.expiresAt));
      const below = evictable.filter((e) => e.expiresAt < shortest).length;
      if (needed <= below) best = Math.max(best, admitted.length);
    }
    return best;
  }

  const blocks = (prefix: string) =>
    fc
      .array(fc.integer({ min: 0, max: 12 }), { maxLength: 6 })
      .map((ends) => ends.map((e, i) => block(`${prefix}${i}`, e)));

  it('never evicts a block that outlives an admitted newcomer, and admits as many as possible', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -3, max: 4 }),
        blocks('n'),
        blocks('e'),
        (free, newcomers, evictable) => {
          const evicted = chooseEvictions(free, newcomers, evictable);
          const best = mostAdmissible(free, newcomers, evictable);
          // What the caller admits: the longest-lived newcomers that fit after eviction.
          const room = Math.max(0, free + evicted.length);
          const admitted = [...newcomers]
            .sort((a, b) => b.expiresAt - a.expiresAt)
            .slice(0, Math.min(room, newcomers.length));
          expect(admitted).toHaveLength(best);
          // Evictions only as many as the admitted newcomers need, none for nothing.
          expect(evicted).toHaveLength(best === 0 ? 0 : Math.max(0, best - free));
          const ends = new Map(evictable.map((e) => [e.address, e.expiresAt]));
          for (const address of evicted) {
            expect(ends.has(address)).toBe(true);
            for (const n of admitted) expect(ends.get(address)!).toBeLessThan(n.expiresAt);
          }
        },
      ),
      { numRuns: 3_000 },
    );
  });
});

describe('planSetUpdate', () => {
  it('takes new addresses in the given order and drops the last ones beyond capacity', () => {
    const plan = planSetUpdate(
      ['1.1.1.1/32'],
      { add: ['2.2.2.2/32', '3.3.3.3/32'], remove: [] },
      2,
    );
    expect(plan).toMatchObject({ added: ['2.2.2.2/32'], dropped: ['3.3.3.3/32'] });
  });
});
