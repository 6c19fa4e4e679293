import { describe, expect, it } from 'vitest';
import type { CodeMaps, DrugRow } from '../../src/codemaps/types.js';
import type { Profile } from '../../src/profile/types.js';
import { MemberClaimsContext } from '../../src/story/claims/context.js';
import { pharmacyClaims, type Prescription } from '../../src/story/claims/pharmacy.js';
import { bookMultiple, drugFillPrice } from '../../src/story/claims/pricing.js';
import type { Showcase } from '../../src/story/showcase.js';
import type { CoverageFact, Directory, MemberFact } from '../../src/story/types.js';
import { addDays, daysBetween } from '../../src/util/dates.js';
import { Rng } from '../../src/util/rng.js';
import { codeMaps } from '../helpers/output.js';

/**
 * Pharmacy claims of one prescription worked by hand (issue 19), with the shipped code maps and a hand-made
 * member: one claim a fill, refill numbers and a new prescription number after the refills allowed, fill dates on
 * the days supply (2 days early to 30 % late), nothing after coverage ends or the last service day, the NCPDP codes,
 * the quantity scaled to another days supply, forced and denied first fills, the compound suspension.
 */

const drugs = [...codeMaps.drugs.values()];
const generic = drugs.find((d) => !d.brand && d.chronic && d.daysSupply === 30)!;
const brand = drugs.find((d) => d.brand)!;
const directory = {
  payer: {},
  organizations: [{ id: 'rx', kind: 'pharmacy' }, { id: 'h', kind: 'hospital' }],
  practitioners: [{ id: 'pcp', role: 'primary-care' }],
} as unknown as Directory;
const profile = { period: { start: '2024-01-01', end: '2024-12-31' }, claims: { outOfNetworkRate: 0, denialRate: 0 } } as unknown as Profile;
const coverage: CoverageFact = { ordinal: 2, planId: 'p', planName: 'p', planType: 'commercial', group: { id: 'g', name: 'g' }, start: '2024-01-01', end: '2024-12-31', status: 'active' };

function ctx(seed: string, showcase?: Showcase, denialRate = 0, maps: CodeMaps = codeMaps): MemberClaimsContext {
  const p = { ...profile, claims: { ...profile.claims, denialRate } } as Profile;
  return new MemberClaimsContext(new Rng(seed), undefined as never, p, maps, directory, { birthDate: '1960-01-01' } as MemberFact, [], [coverage], new Map(), showcase);
}

const rx = (drug: DrugRow, extra: Partial<Prescription> = {}): Prescription => ({ coverage, drug, conditionKey: 'k', firstFill: '2024-01-10', fills: 12, ...extra });
const seeds = Array.from({ length: 30 }, (_, i) => `s${i}`);

describe('pharmacyClaims', () => {
  it('should fill on the days supply, 2 days early to 30 % late, numbering refills and renewing the prescription after those allowed', () => {
    const gaps = new Set<number>();
    for (const seed of seeds) {
      const claims = pharmacyClaims(ctx(seed), rx(generic, { refills: 2, fills: 8 }));
      expect(claims[0]!.serviceStart).toBe('2024-01-10');
      expect(claims.map((c) => c.pharmacy!.refillNumber)).toEqual([0, 1, 2, 0, 1, 2, 0, 1].slice(0, claims.length));
      const numbers = claims.map((c) => c.pharmacy!.prescriptionNumber);
      for (const n of numbers) expect(n).toMatch(/^\d{7}$/);
      expect(numbers[1]).toBe(numbers[0]);
      expect(numbers[2]).toBe(numbers[0]);
      if (claims.length > 3) expect(numbers[3]).not.toBe(numbers[0]);
      for (let i = 1; i < claims.length; i++) {
        const gap = daysBetween(claims[i - 1]!.serviceStart, claims[i]!.serviceStart);
        gaps.add(gap);
        expect(gap).toBeGreaterThanOrEqual(30 - 2);
        expect(gap).toBeLessThanOrEqual(30 + 9);
      }
      for (const c of claims) {
        expect(c.serviceEnd).toBe(c.serviceStart);
        expect(c.lines[0]!.serviceDate).toBe(c.serviceStart);
        expect(c.pharmacy!.refillsAuthorized).toBe(2);
      }
    }
    expect(Math.min(...gaps)).toBe(28);
    expect(Math.max(...gaps)).toBe(39);
  });

  it("should allow a year's refills for a repeated fill, none for one, and keep what the prescription says", () => {
    expect(pharmacyClaims(ctx('x'), rx(generic))[0]!.pharmacy!.refillsAuthorized).toBe(11);
    expect(pharmacyClaims(ctx('x'), rx(generic, { daysSupply: 90 }))[0]!.pharmacy!.refillsAuthorized).toBe(3);
    expect(pharmacyClaims(ctx('x'), rx(generic, { daysSupply: 400 }))[0]!.pharmacy!.refillsAuthorized).toBe(0);
    expect(pharmacyClaims(ctx('x'), rx(generic, { fills: 1 }))[0]!.pharmacy!.refillsAuthorized).toBe(0);
    expect(pharmacyClaims(ctx('x'), rx(generic, { fills: 1, refills: 5 }))[0]!.pharmacy!.refillsAuthorized).toBe(5);
  });

  it('should fill nothing after the last service day or the end of coverage', () => {
    const last = addDays('2024-12-31', -45);
    for (const seed of seeds) {
      const claims = pharmacyClaims(ctx(seed), rx(generic, { fills: 20 }));
      expect(claims.length).toBeLessThan(20);
      for (const c of claims) expect(c.serviceStart <= last).toBe(true);
      // The next fill, at most 39 days on (30 + 30 % late), would have fallen after the last service day.
      expect(addDays(claims.at(-1)!.serviceStart, 39) > last).toBe(true);
      const ended = pharmacyClaims(ctx(seed), rx(generic, { coverage: { ...coverage, end: '2024-03-01' } }));
      for (const c of ended) expect(c.serviceStart <= '2024-03-01').toBe(true);
      expect(ended.length).toBeGreaterThanOrEqual(2);
    }
    expect(pharmacyClaims(ctx('x'), rx(generic, { firstFill: addDays(last, 1) }))).toEqual([]);
    expect(pharmacyClaims(ctx('x'), rx(generic, { firstFill: last, fills: 1 }))).toHaveLength(1);
    expect(pharmacyClaims(ctx('x'), rx(generic, { fills: 1, coverage: { ...coverage, end: '2024-01-10' } }))).toHaveLength(1);
  });

  it('should scale the quantity to the days supply, and bill the drug as the row says', () => {
    const [fill] = pharmacyClaims(ctx('x'), rx(generic, { daysSupply: 90, fills: 1 }));
    expect(fill!.pharmacy!.quantity).toBe(Math.max(1, Math.round((generic.quantity * 90) / generic.daysSupply)));
    expect(fill!.pharmacy!.quantity).toBe(generic.quantity * 3);
    expect(fill!.pharmacy!.daysSupply).toBe(90);
    expect(fill!.lines[0]!.quantity).toBe(fill!.pharmacy!.quantity);
    const [tiny] = pharmacyClaims(ctx('x'), rx(generic, { daysSupply: 1, fills: 1 }));
    expect(tiny!.pharmacy!.quantity).toBe(Math.max(1, Math.round(generic.quantity / generic.daysSupply)));
    expect(fill).toMatchObject({
      type: 'pharmacy', coverageOrdinal: 2, billingProviderId: 'rx', prescriberId: 'pcp', network: 'innetwork', diagnoses: [], procedures: [],
      pharmacy: { drugKey: generic.key, rxnorm: generic.rxnorm.code, ndc: generic.ndc.code, brandGeneric: '2', compound: '1' },
    });
    expect(fill!.lines[0]!.code).toEqual({ system: 'ndc', code: generic.ndc.code, display: generic.ndc.display, licensed: false });
    expect(fill!.lines[0]!.price.preventive).toBe(false);
    expect(fill!.lines[0]!.modifiers).toEqual([]);
    expect(fill!.lines[0]!.diagnosisSequences).toEqual([]);
    // Priced as a 90-day fill on the drug book, in network: allowed within ±10 % of the book's price.
    const allowed = drugFillPrice(codeMaps.pricing, { brand: false, daysSupply: 90 }) * bookMultiple(codeMaps.pricing, 'commercial', 'drug') * 100;
    const { submitted, allowedRatio } = fill!.lines[0]!.price;
    expect(Number.isInteger(submitted)).toBe(true);
    expect(submitted * allowedRatio).toBeGreaterThanOrEqual(allowed * 0.9 - 1);
    expect(submitted * allowedRatio).toBeLessThanOrEqual(allowed * 1.1 + 1);
    expect(fill!.pharmacy!.dawCode).toBe('0');
  });

  it('should mark brand fills, sometimes dispensed as written, and e-prescriptions most of the time', () => {
    const daw = new Set<string>();
    const origin = new Map<string, number>();
    for (const seed of seeds) {
      for (const c of pharmacyClaims(ctx(seed), rx(brand, { fills: 4 }))) {
        expect(c.pharmacy!.brandGeneric).toBe('1');
        daw.add(c.pharmacy!.dawCode);
        origin.set(c.pharmacy!.rxOrigin, (origin.get(c.pharmacy!.rxOrigin) ?? 0) + 1);
      }
    }
    expect([...daw].sort()).toEqual(['0', '1']);
    expect([...origin.keys()].sort()).toEqual(['1', '3']);
    expect(origin.get('3')!).toBeGreaterThan(origin.get('1')!);
  });

  it('should force and deny only the first fill, and compound it for a showcase member', () => {
    const claims = pharmacyClaims(ctx('x', { compound: true } as Showcase), rx(generic, { forced: true, deny: true, fills: 3 }));
    expect(claims.map((c) => c.forced)).toEqual([true, false, false]);
    expect(claims[0]!.lines[0]!.denialReason!.claimTypes).toContain('pharmacy');
    expect(claims[0]!.lines[0]!.price.denial).toEqual({ group: claims[0]!.lines[0]!.denialReason!.group });
    expect(claims.slice(1).map((c) => c.lines[0]!.denialReason)).toEqual([undefined, undefined]);
    expect(claims[0]!.pharmacy!.compound).toBe('2');
    expect(claims[0]!.lines[0]!.ingredients).toEqual([
      { ndc: generic.ndc.code, display: generic.ndc.display, quantity: generic.quantity, unit: 'each' },
      { ndc: expect.stringMatching(/^\d{11}$/), display: expect.any(String), quantity: 120, unit: 'mL' },
    ]);
    expect(claims[1]!.pharmacy!.compound).toBe('1');
    expect('ingredients' in claims[1]!.lines[0]!).toBe(false);
    const plain = pharmacyClaims(ctx('x'), rx(generic, { forced: true, fills: 1 }));
    expect(plain[0]!.pharmacy!.compound).toBe('1');
    expect(pharmacyClaims(ctx('x', { compound: true } as Showcase), rx(generic, { fills: 1 }))[0]!.pharmacy!.compound).toBe('1');
    expect(pharmacyClaims(ctx('x'), rx(generic, { fills: 2 })).map((c) => c.forced)).toEqual([undefined, undefined]);
    const noVehicles = { ...codeMaps, tables: new Map([...codeMaps.tables].filter(([k]) => k !== 'compound-vehicles')) } as CodeMaps;
    expect(() => pharmacyClaims(ctx('x', { compound: true } as Showcase, 0, noVehicles), rx(generic, { forced: true, fills: 1 }))).toThrow(
      "code-maps/tables.json has no 'compound-vehicles'",
    );
  });

  it('should price every fill at the tier of the drug on the formulary', () => {
    const tiers = new Set(pharmacyClaims(ctx('x'), rx(generic, { fills: 3 })).map((c) => c.pharmacy!.tier));
    expect(tiers.size).toBe(1);
    expect(['preferred-generic', 'generic', 'preferred-brand', 'non-preferred-brand', 'specialty']).toContain([...tiers][0]);
  });
});
