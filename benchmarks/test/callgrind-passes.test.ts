import { describe, expect, it } from 'vitest';
import { summarizePasses } from '../http/callgrind.mjs';

// How the HTTP benchmark turns callgrind's passes into one count per variant.
describe('summarizePasses', () => {
  it('counts every pass but the first with `fixed`, and reads agreement over any two of them', () => {
    // A full GC in pass 3 and a recovering pass 1, as on Node's own young generation.
    const all = [160_000, 147_153, 151_378, 154_682, 146_676];
    const s = summarizePasses(all, true);
    expect(s.passes).toEqual(all.slice(1));
    expect(s.mean).toBeCloseTo((147_153 + 151_378 + 154_682 + 146_676) / 4, 6);
    // The closest two are passes 2 and 5 (not in a row): 0.33% apart.
    expect(s.agreement).toBeCloseTo((147_153 - 146_676) / ((147_153 + 146_676) / 2), 9);
    expect(s.spread).toBeCloseTo((154_682 - 146_676) / s.mean, 9);
  });

  it('counts the last two passes without `fixed` (the stop rule that ended the run)', () => {
    const s = summarizePasses([9_500, 9_100, 9_000, 9_010]);
    expect(s.passes).toEqual([9_000, 9_010]);
    expect(s.mean).toBe(9_005);
    expect(s.agreement).toBeCloseTo(10 / 9_005, 9);
  });

  it('refuses fewer than two counted passes', () => {
    expect(() => summarizePasses([100_000, 90_000], true)).toThrow(/too few/);
  });
});
