import { describe, expect, it } from 'vitest';
import type { PricingTable } from '../../src/codemaps/pricing.js';
import type { CodeMaps, DentalRow, DenialRow, ProcedureRow } from '../../src/codemaps/types.js';
import type { Profile } from '../../src/profile/types.js';
import { MemberClaimsContext } from '../../src/story/claims/context.js';
import { dentalLine, procedureLine, rowTableEntry, tableEntry } from '../../src/story/claims/lines.js';
import type { CoverageFact, Directory, MemberFact } from '../../src/story/types.js';
import { addDays, daysBetween } from '../../src/util/dates.js';
import { Rng } from '../../src/util/rng.js';
import { UserError } from '../../src/util/errors.js';

/**
 * A claim line's price and dates worked out by hand (issue 19): MemberClaimsContext's price, charge, allowed
 * share and service dates within their documented bounds (cents), and procedureLine / dentalLine on hand-made
 * rows: facility or physician rates, units, revenue codes, side modifiers, preventive lines, denials.
 */

const pricing = {
  ipps: { standardizedAmount: 6000, addOns: 1.5 },
  pfs: { conversionFactor: 30 },
  rvus: { codes: { '27447': 20 } },
  clfs: { codes: {} },
  opps: { codes: { '27447': 1000 } },
  ambulance: { codes: {} },
  books: {
    commercial: { hospital: 2.5, professional: 1.3, drug: 1.1 },
    'medicare-advantage': { hospital: 1, professional: 1, drug: 1 },
    medicaid: { hospital: 0.9, professional: 0.7, drug: 0.95 },
  },
  charges: { hospital: 4, professional: 2, pharmacy: 1.25 },
  drugs: { genericPer30Days: 12, brandPer30Days: 450 },
  fallback: { chargeToMedicare: 4 },
  revenueCodes: { codes: {} },
  inpatientWeights: { codes: {} },
} as PricingTable;

const tables = new Map([
  ['revenue', { codes: [{ code: '0360', display: 'Operating room' }] }],
  ['hcpcs-modifiers', { codes: [{ code: 'RT', display: 'Right side' }, { code: 'LT', display: 'Left side' }] }],
]);
const denials = [{ carc: '50', display: 'Not medically necessary', group: 'CO', claimTypes: ['professional'] }] as DenialRow[];
const codeMaps = { pricing, tables, denials } as unknown as CodeMaps;
const directory = {
  payer: {},
  organizations: [{ id: 'h', kind: 'hospital' }, { id: 'rx', kind: 'pharmacy' }],
  practitioners: [{ id: 'pcp', role: 'primary-care' }],
} as unknown as Directory;
const profile = { period: { start: '2024-01-01', end: '2024-12-31' }, claims: { outOfNetworkRate: 0.2, denialRate: 0.1 } } as unknown as Profile;
const coverage = (planType: CoverageFact['planType'], start = '2024-01-01', end = '2024-12-31'): CoverageFact =>
  ({ ordinal: 1, planId: 'p', planName: 'p', planType, group: { id: 'g', name: 'g' }, start, end, status: 'active' });

function context(seed: string, member: Partial<MemberFact> = {}): MemberClaimsContext {
  const m = { birthDate: '1970-01-01', ...member } as MemberFact;
  return new MemberClaimsContext(new Rng(seed), undefined as never, profile, codeMaps, directory, m, [], [coverage('commercial')], new Map(), undefined);
}

const seeds = Array.from({ length: 60 }, (_, i) => `s${i}`);

describe('MemberClaimsContext prices (cents)', () => {
  it("should allow the book's multiple of Medicare ±10 % and bill the setting's charge ratio ±15 % above it", () => {
    for (const seed of seeds) {
      const inNet = context(seed).price(100, 'hospital', coverage('commercial'), 'innetwork');
      const outNet = context(seed).price(100, 'hospital', coverage('commercial'), 'outofnetwork');
      // Allowed $250 ± 10 %, billed 4 × that ± 15 %.
      expect(inNet.submitted).toBeGreaterThanOrEqual(Math.round(250 * 0.9 * 4 * 0.85 * 100));
      expect(inNet.submitted).toBeLessThanOrEqual(Math.round(250 * 1.1 * 4 * 1.15 * 100));
      const allowed = inNet.submitted * inNet.allowedRatio;
      expect(allowed).toBeGreaterThanOrEqual(250 * 0.9 * 100 - 1);
      expect(allowed).toBeLessThanOrEqual(250 * 1.1 * 100 + 1);
      expect(outNet.submitted).toBe(inNet.submitted);
      expect(outNet.allowedRatio).toBeCloseTo(inNet.allowedRatio * 0.8, 12);
      // A fill is priced on the drug book (Medicaid 0.95) and the pharmacy ratio.
      const fill = context(seed).price(100, 'pharmacy', coverage('medicaid'), 'innetwork');
      expect(fill.submitted).toBeGreaterThanOrEqual(Math.round(95 * 0.9 * 1.25 * 0.85 * 100));
      expect(fill.submitted).toBeLessThanOrEqual(Math.round(95 * 1.1 * 1.25 * 1.15 * 100));
      expect(fill.submitted * fill.allowedRatio).toBeGreaterThanOrEqual(95 * 0.9 * 100 - 1);
      expect(fill.submitted * fill.allowedRatio).toBeLessThanOrEqual(95 * 1.1 * 100 + 1);
    }
    expect(context('x').price(0.0001, 'professional', coverage('commercial'), 'innetwork').submitted).toBe(1);
  });

  it('should bill a charge around the typical one (−15 % to +25 %) and allow a share by plan type, 80 % of it out of network', () => {
    const ratios: number[] = [];
    for (const seed of seeds) {
      const charge = context(seed).charge(100);
      expect(Number.isInteger(charge)).toBe(true);
      expect(charge).toBeGreaterThanOrEqual(8500);
      expect(charge).toBeLessThanOrEqual(12500);
      const r = context(seed).allowedRatio(coverage('dental'), 'innetwork');
      ratios.push(r);
      expect(r).toBeGreaterThanOrEqual(0.6);
      expect(r).toBeLessThanOrEqual(0.85);
      expect(context(seed).allowedRatio(coverage('dental'), 'outofnetwork')).toBeCloseTo(r * 0.8, 12);
      const medicaid = context(seed).allowedRatio(coverage('medicaid'), 'innetwork');
      expect(medicaid).toBeGreaterThanOrEqual(0.25);
      expect(medicaid).toBeLessThanOrEqual(0.45);
    }
    expect(Math.max(...ratios) - Math.min(...ratios)).toBeGreaterThan(0.1);
  });
});

describe('MemberClaimsContext dates', () => {
  it('should end services 45 days before the period ends, or at death', () => {
    expect(context('x').lastServiceDay).toBe(addDays('2024-12-31', -45));
    expect(context('x', { deceasedDate: '2024-06-01' }).lastServiceDay).toBe('2024-06-01');
    expect(context('x', { deceasedDate: '2024-12-30' }).lastServiceDay).toBe(addDays('2024-12-31', -45));
  });

  it('should draw service dates inside the coverage, after notBefore and by the last service day, reaching both ends', () => {
    const last = addDays('2024-12-31', -45);
    const short = coverage('commercial', '2024-03-01', '2024-03-05');
    const seen = new Set<string>();
    for (const seed of seeds) {
      const d = context(seed).serviceDate(short)!;
      seen.add(d);
      expect(d >= '2024-03-01' && d <= '2024-03-05').toBe(true);
      const after = context(seed).serviceDate(short, '2024-03-04')!;
      expect(after >= '2024-03-04' && after <= '2024-03-05').toBe(true);
      const before = context(seed).serviceDate(short, '2024-01-01')!;
      expect(before >= '2024-03-01').toBe(true);
      const late = context(seed).serviceDate(coverage('commercial', '2024-11-01', '2025-06-30'))!;
      expect(late >= '2024-11-01' && late <= last).toBe(true);
    }
    expect([...seen].sort()).toEqual(['2024-03-01', '2024-03-02', '2024-03-03', '2024-03-04', '2024-03-05']);
    expect(context('x').serviceDate(short, '2024-03-06')).toBeUndefined();
    expect(context('x').serviceDate(coverage('commercial', '2024-12-01', '2024-12-31'))).toBeUndefined();
    expect(context('x').serviceDate(coverage('commercial', last, last))).toBe(last);
  });

  it('should count years of coverage up to the last service day, and none after it', () => {
    const ctx = context('x');
    expect(ctx.years(coverage('commercial', '2024-01-01', '2024-01-31'))).toBeCloseTo(31 / 365, 12);
    expect(ctx.years(coverage('commercial', '2024-01-01', '2025-12-31'))).toBeCloseTo((daysBetween('2024-01-01', ctx.lastServiceDay) + 1) / 365, 12);
    expect(ctx.years(coverage('commercial', '2024-12-20', '2024-12-31'))).toBe(0);
  });
});

const knee: ProcedureRow = { key: 'tka', system: 'cpt', code: '27447', display: 'Total knee', licensed: true, use: 'surgery', charge: 40_000, revenue: '0360', laterality: true } as ProcedureRow;
const visit: ProcedureRow = { key: 'v', system: 'cpt', code: '99999', display: 'Visit', licensed: true, use: 'preventive', charge: 200 } as ProcedureRow;

/** A context whose price() records what it was asked and answers the Medicare dollars in cents. */
function recording(seed = 'x') {
  const ctx = context(seed);
  const asked: unknown[][] = [];
  ctx.price = (...args) => {
    asked.push(args);
    return { submitted: Math.round(args[0] * 100), allowedRatio: 0.5 };
  };
  return { ctx, asked };
}

describe('procedureLine', () => {
  const base = { date: '2024-05-01', coverage: coverage('commercial'), network: 'innetwork' as const, diagnosisSequences: [1, 2] };

  it('should price a hospital line at the facility rate × units, with its revenue code and allowed units', () => {
    const { ctx, asked } = recording();
    const line = procedureLine(ctx, knee, { ...base, withRevenue: true, quantity: 2, side: 'left' });
    expect(asked).toEqual([[2000, 'hospital', base.coverage, 'innetwork']]);
    expect(line).toEqual({
      serviceDate: '2024-05-01',
      code: { system: 'cpt', code: '27447', display: 'Total knee', licensed: true },
      revenue: { code: '0360', display: 'Operating room' },
      modifiers: [{ system: 'hcpcs', code: 'LT', display: 'Left side' }],
      allowedUnits: 2,
      placeOfService: undefined,
      quantity: 2,
      diagnosisSequences: [1, 2],
      price: { submitted: 200_000, allowedRatio: 0.5, preventive: false, denial: undefined },
      denialReason: undefined,
    });
  });

  it('should price a professional line at the physician fee schedule, one unit by default, with no revenue code', () => {
    const { ctx, asked } = recording();
    const line = procedureLine(ctx, knee, { ...base, side: 'right', placeOfService: '11', network: 'outofnetwork' });
    expect(asked).toEqual([[600, 'professional', base.coverage, 'outofnetwork']]);
    expect(line.revenue).toBeUndefined();
    expect('allowedUnits' in line).toBe(false);
    expect(line.quantity).toBe(1);
    expect(line.placeOfService).toBe('11');
    expect(line.modifiers).toEqual([{ system: 'hcpcs', code: 'RT', display: 'Right side' }]);
    // withRevenue on a row with no revenue code: facility rate, but no revenue code and no allowed units.
    const noRevenue = procedureLine(ctx, { ...knee, revenue: undefined }, { ...base, withRevenue: true });
    expect(asked[1]![1]).toBe('hospital');
    expect(noRevenue.revenue).toBeUndefined();
    expect('allowedUnits' in noRevenue).toBe(false);
  });

  it('should pick a side for a sided code with no diagnosis side (both seen), and none for an unsided code', () => {
    const sides = new Set(seeds.map((s) => procedureLine(recording(s).ctx, knee, base).modifiers[0]!.code));
    expect([...sides].sort()).toEqual(['LT', 'RT']);
    expect(procedureLine(recording().ctx, visit, { ...base, side: 'left' }).modifiers).toEqual([]);
  });

  it('should mark preventive uses and carry a denial with its group', () => {
    const { ctx } = recording();
    expect(procedureLine(ctx, visit, base).price.preventive).toBe(true);
    expect(procedureLine(ctx, { ...visit, use: 'office-visit' }, base).price.preventive).toBe(false);
    const denied = procedureLine(ctx, visit, { ...base, denial: denials[0] });
    expect(denied.price.denial).toEqual({ group: 'CO' });
    expect(denied.denialReason).toBe(denials[0]);
  });
});

describe('dentalLine and tableEntry', () => {
  const cleaning: DentalRow = { key: 'c', code: 'D1110', display: 'Prophylaxis', licensed: true, use: 'cleaning', charge: 100, toothSpecific: false, surfaces: false } as DentalRow;

  it('should bill a dental line at a charge around the typical one with the allowed share of the plan', () => {
    const line = dentalLine(context('x'), cleaning, { date: '2024-05-01', coverage: coverage('dental'), network: 'innetwork', diagnosisSequences: [], tooth: '3', surfaces: ['M'] });
    const ctx = context('x');
    expect(line).toEqual({
      serviceDate: '2024-05-01',
      code: { system: 'cdt', code: 'D1110', display: 'Prophylaxis', licensed: true },
      modifiers: [], placeOfService: undefined, quantity: 1, diagnosisSequences: [], tooth: '3', surfaces: ['M'],
      price: { submitted: ctx.charge(100), allowedRatio: ctx.allowedRatio(coverage('dental'), 'innetwork'), preventive: true, denial: undefined },
      denialReason: undefined,
    });
    const crown = dentalLine(context('x'), { ...cleaning, use: 'crown' }, { date: '2024-05-01', coverage: coverage('dental'), network: 'innetwork', diagnosisSequences: [], denial: { ...denials[0]!, group: 'PR' } });
    expect(crown.price.preventive).toBe(false);
    expect(crown.price.denial).toEqual({ group: 'PR' });
  });

  it('should look codes up in the code-map tables and say which one is missing', () => {
    expect(tableEntry(context('x'), 'revenue', '0360')).toEqual({ code: '0360', display: 'Operating room' });
    expect(() => rowTableEntry(context('x'), 'revenue', '0999')).toThrow("code-maps/tables.json: table 'revenue' has no code '0999'");
    expect(() => rowTableEntry(context('x'), 'nowhere', '0360')).toThrow("code-maps/tables.json: table 'nowhere' has no code '0360'");
    // An edited tables.json is a user's mistake: one line, exit 2 (test/cli/generate-code-maps-edit.test.ts).
    expect(() => rowTableEntry(context('x'), 'revenue', '0999')).toThrow(UserError);
  });
});

describe('MemberClaimsContext choices', () => {
  const dir = {
    payer: {},
    organizations: [{ id: 'rx1', kind: 'pharmacy' }, { id: 'h1', kind: 'hospital' }, { id: 'rx2', kind: 'pharmacy' }, { id: 'lab', kind: 'lab' }],
    practitioners: [{ id: 'spec', role: 'specialist' }, { id: 'pcp1', role: 'primary-care' }, { id: 'dds', role: 'dentist' }, { id: 'pcp2', role: 'primary-care' }],
  } as unknown as Directory;
  const conditions = new Map([
    ['knee', { key: 'knee', chronic: true, icd10cm: [{ code: 'M17.11', display: 'OA right knee', side: 'right' }, { code: 'M17.12', display: 'OA left knee', side: 'left' }] }],
    ['flu', { key: 'flu', chronic: false, icd10cm: [{ code: 'J11.1', display: 'Flu' }] }],
    ['none', { key: 'none', chronic: false, icd10cm: [] }],
  ]);
  const procedures = new Map([
    ['a', { code: 'a', use: 'preventive', ageMin: 18, ageMax: 39 }],
    ['b', { code: 'b', use: 'preventive', ageMin: 40 }],
    ['c', { code: 'c', use: 'preventive' }],
    ['d', { code: 'd', use: 'lab' }],
  ]);
  const maps = { ...codeMaps, conditions, procedures, denials: [...denials, { carc: '96', display: 'Non-covered', group: 'PR', claimTypes: ['oral'] }] } as unknown as CodeMaps;
  const make = (seed: string, rates = { outOfNetworkRate: 0.3, denialRate: 0.2 }, coverages = [coverage('dental'), coverage('commercial')]) =>
    new MemberClaimsContext(new Rng(seed), undefined as never, { ...profile, claims: rates } as Profile, maps, dir, { birthDate: '1980-06-15' } as MemberFact,
      [{ key: 'knee', onset: '2024-02-01', icd10Index: 1 }, { key: 'flu', onset: '2024-03-01', icd10Index: 5 }] as never, coverages, new Map(), undefined);

  it('should give the member a primary-care doctor, a pharmacy and a hospital of the right kind, each picked among those', () => {
    const seen = { pcp: new Set<string>(), pharmacy: new Set<string>() };
    for (const seed of seeds) {
      const ctx = make(seed);
      seen.pcp.add(ctx.pcp.id);
      seen.pharmacy.add(ctx.pharmacy.id);
      expect(ctx.hospital.id).toBe('h1');
      expect(ctx.practitioner('dentist').id).toBe('dds');
      expect(['pcp1', 'pcp2']).toContain(ctx.practitioner('pharmacist').id);
    }
    expect([...seen.pcp].sort()).toEqual(['pcp1', 'pcp2']);
    expect([...seen.pharmacy].sort()).toEqual(['rx1', 'rx2']);
    expect(() => make('x').org('ambulance' as never)).toThrow('directory has no ambulance');
    expect(make('x').orgById('lab').kind).toBe('lab');
    expect(() => make('x').orgById('zz')).toThrow('directory has no organization zz');
  });

  it('should find the medical and dental coverage, and none when absent', () => {
    expect(make('x').medicalCoverage()!.planType).toBe('commercial');
    expect(make('x').dentalCoverage()!.planType).toBe('dental');
    expect(make('x', undefined, [coverage('medicaid')]).dentalCoverage()).toBeUndefined();
    expect(make('x', undefined, [coverage('dental')]).medicalCoverage()).toBeUndefined();
  });

  it('should read conditions: the coded diagnosis and its side (first code when the index is past the list), active ones by date', () => {
    const ctx = make('x');
    const [knee, flu] = ctx.conditions;
    expect(ctx.sideOf(knee)).toBe('left');
    expect(ctx.sideOf(undefined)).toBeUndefined();
    expect(ctx.sideOf(flu)).toBeUndefined();
    expect(ctx.sideOf({ key: 'none', onset: '2024-01-01', icd10Index: 0 } as never)).toBeUndefined();
    expect(ctx.diagnosisOf(knee!, 2, 'principal')).toEqual({ sequence: 2, icd10cm: 'M17.12', display: 'OA left knee', role: 'principal', conditionKey: 'knee' });
    expect(ctx.diagnosisOf(flu!, 1, 'secondary').icd10cm).toBe('J11.1');
    expect(() => ctx.diagnosisOf({ key: 'none', onset: '2024-01-01', icd10Index: 0 } as never, 1, 'principal')).toThrow("condition 'none' has no ICD-10-CM code");
    expect(() => ctx.conditionRow({ key: 'gone' } as never)).toThrow("code-maps/conditions.json has no 'gone'");
    expect(ctx.activeConditions('2024-01-31')).toEqual([]);
    expect(ctx.activeConditions('2024-02-01')).toEqual([knee]);
    expect(ctx.activeConditions('2024-03-31')).toEqual([knee, flu]); // flu: 30 days after onset
    expect(ctx.activeConditions('2024-04-01')).toEqual([knee]);
    expect(ctx.ageOn('2024-06-14')).toBe(43);
    expect(ctx.ageOn('2024-06-15')).toBe(44);
  });

  it('should list procedures for a use and an age, ages inclusive', () => {
    const ctx = make('x');
    const codes = (age?: number) => ctx.procedures('preventive', age).map((p) => p.code);
    expect(codes()).toEqual(['a', 'b', 'c']);
    expect(codes(18)).toEqual(['a', 'c']);
    expect(codes(39)).toEqual(['a', 'c']);
    expect(codes(40)).toEqual(['b', 'c']);
    expect(codes(17)).toEqual(['c']);
    expect(codes(200)).toEqual(['b', 'c']);
    expect(codes(201)).toEqual([]);
    expect(ctx.procedures('lab').map((p) => p.code)).toEqual(['d']);
  });

  it('should send claims out of network at the profile rate or when forced, and deny at the denial rate or when forced, with a reason for the claim type', () => {
    let out = 0;
    let denied = 0;
    for (let i = 0; i < 400; i++) {
      const ctx = make(`n${i}`);
      if (ctx.network(false) === 'outofnetwork') out++;
      expect(ctx.network(true)).toBe('outofnetwork');
      const d = ctx.denial('oral', false);
      if (d) {
        denied++;
        expect(d.carc).toBe('96');
      }
      expect(ctx.denial('professional', true)!.carc).toBe('50');
      expect(ctx.denial('inpatient', true)).toBeDefined(); // no row for the type: any row
    }
    expect(out).toBeGreaterThan(80);
    expect(out).toBeLessThan(160);
    expect(denied).toBeGreaterThan(45);
    expect(denied).toBeLessThan(115);
    expect(make('x', { outOfNetworkRate: 0, denialRate: 0 }).network(false)).toBe('innetwork');
    expect(make('x', { outOfNetworkRate: 0, denialRate: 0 }).denial('oral', false)).toBeUndefined();
  });

  it("should spread the charge ratio over the setting's ±15 %", () => {
    const ratios = Array.from({ length: 200 }, (_, i) => 1 / context(`r${i}`).price(100, 'hospital', coverage('commercial'), 'innetwork').allowedRatio);
    expect(Math.min(...ratios)).toBeGreaterThanOrEqual(4 * 0.85 - 1e-9);
    expect(Math.max(...ratios)).toBeLessThanOrEqual(4 * 1.15 + 1e-9);
    expect(Math.min(...ratios)).toBeLessThan(4 * 0.87);
    expect(Math.max(...ratios)).toBeGreaterThan(4 * 1.13);
  });
});
