import { describe, expect, it } from 'vitest';
import type { CodeMaps } from '../../src/codemaps/types.js';
import type { Profile } from '../../src/profile/types.js';
import { MemberClaimsContext } from '../../src/story/claims/context.js';
import { inpatientClaim, outpatientClaim } from '../../src/story/claims/institutional.js';
import { bookMultiple } from '../../src/story/claims/pricing.js';
import type { Showcase } from '../../src/story/showcase.js';
import type { ConditionFact, CoverageFact, Directory, MemberFact } from '../../src/story/types.js';
import { addDays, daysBetween } from '../../src/util/dates.js';
import { Rng } from '../../src/util/rng.js';
import { codeMaps } from '../helpers/output.js';

/**
 * The hospital claim builders' rules one at a time (issue 19; the survivors of `claims-institutional.test.ts`), with
 * the shipped code maps and a hand-made member and directory: amounts in cents worked from code-maps/pricing.json
 * (revenue-code rates × units × the commercial hospital book for outpatient lines; an admission's MS-DRG payment shared
 * by the inpatient line weights × units), the revenue code of each line, which lines carry a procedure code, the
 * length of stay against the MS-DRG's GMLOS, death on the last planned day, the operation on the diagnosis' side,
 * `severityPick`'s β, and code maps that lack a revenue code or the surgery rows. Fixtures are built inside each test
 * (Stryker switches a mutant on after the file loads).
 */

const coverage: CoverageFact = { ordinal: 2, planId: 'p', planName: 'p', planType: 'commercial', group: { id: 'g', name: 'g' }, start: '2024-01-01', end: '2024-12-31', status: 'active' };
const seeds = (n: number, prefix = 's') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const NA = { system: 'not-applicable', code: 'not-applicable', display: 'Not Applicable', licensed: false };

function ctx(seed: string, conditions: ConditionFact[], o: { birthDate?: string; deceasedDate?: string; showcase?: Showcase; maps?: CodeMaps; denialRate?: number } = {}): MemberClaimsContext {
  const directory = {
    payer: {},
    organizations: [{ id: 'h', kind: 'hospital' }, { id: 'rx', kind: 'pharmacy' }],
    practitioners: [{ id: 'pcp', role: 'primary-care', organizationId: 'h' }, { id: 'spec', role: 'specialist', organizationId: 'h' }],
  } as unknown as Directory;
  const profile = { period: { start: '2024-01-01', end: '2024-12-31' }, claims: { outOfNetworkRate: 0, denialRate: o.denialRate ?? 0 } } as unknown as Profile;
  const member = { birthDate: o.birthDate ?? '1970-01-01', deceasedDate: o.deceasedDate } as unknown as MemberFact;
  return new MemberClaimsContext(new Rng(seed), undefined as never, profile, o.maps ?? codeMaps, directory, member, conditions, [coverage], new Map(), o.showcase);
}
const fact = (key: string, onset = '2024-01-01', icd10Index = 0): ConditionFact => ({ key, onset, icd10Index }) as ConditionFact;
const row = (key: string) => codeMaps.conditions.get(key)!;
const use = (code: string) => [...codeMaps.procedures.values()].find((r) => r.code === code)?.use;
const procedureRevenue = (code: string) => [...codeMaps.procedures.values()].find((r) => r.code === code)?.revenue;
const rate = (revenue: string) => codeMaps.pricing.revenueCodes.codes[revenue]!;
const weight = (revenue: string) => codeMaps.pricing.inpatientWeights.codes[revenue]!;
/** Allowed cents of a line: what the adjudication takes (submitted × allowed share). */
const allowed = (l: { price: { submitted: number; allowedRatio: number } }) => l.price.submitted * l.price.allowedRatio;
const HOSPITAL = () => bookMultiple(codeMaps.pricing, 'commercial', 'hospital');
/** Code maps whose revenue table lacks some codes (the procedures that name them keep them). */
function withoutRevenue(...codes: string[]): CodeMaps {
  const tables = new Map(codeMaps.tables);
  const revenue = tables.get('revenue')!;
  tables.set('revenue', { ...revenue, codes: revenue.codes.filter((c) => !codes.includes(c.code)) });
  return { ...codeMaps, tables } as CodeMaps;
}

describe('outpatientClaim, line by line', () => {
  const acute = () => fact('pneumonia');
  const chronic = () => fact('hypertension', '2023-01-01');

  it('should bill the first line on the hospital bill: the ED level under 0450, a scheduled test under its own revenue code, lab or imaging', () => {
    const firstUses = new Set<string>();
    for (const seed of seeds(60)) {
      const ed = outpatientClaim(ctx(seed, [acute()]), { coverage, date: '2024-01-05', condition: acute() }).lines[0]!;
      expect(ed.revenue?.code).toBe('0450');
      expect(ed.allowedUnits).toBe(1);
      const test = outpatientClaim(ctx(seed, [chronic()]), { coverage, date: '2024-02-05', condition: chronic(), emergency: false }).lines[0]!;
      expect(test.revenue?.code).toBe(procedureRevenue(test.code.code));
      expect(test.allowedUnits).toBe(1);
      firstUses.add(use(test.code.code)!);
    }
    expect([...firstUses].sort()).toEqual(['imaging', 'lab']);
  });

  it('should price each uncoded line at its revenue code rate × units × the book (±10 %), never preventive, out of network at 80 %', () => {
    let multiUnit = 0;
    let surgery = 0;
    for (const seed of seeds(40)) {
      for (const [condition, o] of [[acute(), {}], [chronic(), { emergency: false }], [chronic(), { emergency: false, outOfNetwork: true }]] as const) {
        const claim = outpatientClaim(ctx(seed, [condition]), { coverage, date: '2024-02-05', condition, ...o });
        for (const l of claim.lines.filter((x) => x.code.code === 'not-applicable')) {
          const r = l.revenue!.code;
          const expected = rate(r) * l.quantity * HOSPITAL() * 100 * ('outOfNetwork' in o ? 0.8 : 1);
          expect(allowed(l) / expected, `${seed} ${r} × ${l.quantity}`).toBeGreaterThanOrEqual(0.9 - 1e-6);
          expect(allowed(l) / expected, `${seed} ${r} × ${l.quantity}`).toBeLessThanOrEqual(1.1 + 1e-6);
          expect(l.price.preventive).toBe(false);
          if (l.quantity > 1) multiUnit++;
          if (r === '0360') surgery++;
        }
      }
    }
    expect(multiUnit).toBeGreaterThan(0);
    expect(surgery).toBeGreaterThan(0);
  });

  it('should neither deny nor case-rate a forced visit when there is no showcase or it lists nothing', () => {
    for (const seed of seeds(10)) {
      for (const showcase of [undefined, {} as Showcase]) {
        const claim = outpatientClaim(ctx(seed, [acute()], { showcase }), { coverage, date: '2024-01-05', condition: acute(), forced: true });
        expect(claim.lines.some((l) => l.denialReason)).toBe(false);
        expect(claim).not.toHaveProperty('claimLevelAdjudication');
      }
    }
  });

  it("should code further tests, lab and imaging, never the visit's first test again", () => {
    const uses = new Set<string>();
    for (const seed of seeds(80)) {
      for (const emergency of [true, false]) {
        const claim = outpatientClaim(ctx(seed, [chronic()]), { coverage, date: '2024-02-05', condition: chronic(), emergency });
        const coded = claim.lines.map((l) => l.code.code).filter((c) => c !== 'not-applicable');
        expect(new Set(coded).size, `${seed} ${coded.join()}`).toBe(coded.length);
        for (const l of claim.lines.slice(1)) if (l.code.code !== 'not-applicable') uses.add(use(l.code.code)!);
      }
    }
    expect([...uses].sort()).toEqual(['imaging', 'lab']);
  });

  it('should code a test only when the revenue table has its revenue code (94010 bills 0460)', () => {
    const maps = withoutRevenue('0460');
    let coded = 0;
    // Emergency visits: a scheduled one's first test is drawn from every lab and imaging row (unfiltered).
    for (const seed of seeds(80)) {
      const claim = outpatientClaim(ctx(seed, [chronic()], { maps }), { coverage, date: '2024-02-05', condition: chronic(), emergency: true });
      const codes = claim.lines.slice(1).map((l) => l.code.code).filter((c) => c !== 'not-applicable');
      expect(codes).not.toContain('94010');
      coded += codes.length;
    }
    expect(coded).toBeGreaterThan(80);
    // With the shipped table 94010 is among the coded tests.
    const shipped = seeds(80).flatMap((seed) => outpatientClaim(ctx(seed, [chronic()]), { coverage, date: '2024-02-05', condition: chronic(), emergency: true }).lines.map((l) => l.code.code));
    expect(shipped).toContain('94010');
  });
});

describe('denial reasons of hospital claims', () => {
  // code-maps/denials.json: CARC 197 and 50 (CO) fit outpatient and inpatient claims, 96 (PR) outpatient ones; 204,
  // 119 and the pharmacy 197 do not fit either.
  const fits = (type: string) => (reason: { claimTypes: string[] } | undefined) => expect(reason?.claimTypes).toContain(type);

  it("should deny outpatient lines (the first when asked, coded tests at the profile's rate) for a reason that fits outpatient claims", () => {
    const c = fact('pneumonia');
    const reasons = new Set<string>();
    for (const seed of seeds(40)) {
      const asked = outpatientClaim(ctx(seed, [c]), { coverage, date: '2024-01-05', condition: c, deny: true });
      fits('outpatient')(asked.lines[0]!.denialReason);
      const always = outpatientClaim(ctx(seed, [c], { denialRate: 1 }), { coverage, date: '2024-01-05', condition: c });
      for (const l of always.lines.filter((x) => x.code.code !== 'not-applicable')) {
        fits('outpatient')(l.denialReason);
        reasons.add(`${l.denialReason!.group}${l.denialReason!.carc}`);
      }
    }
    expect([...reasons].sort()).toEqual(['CO197', 'CO50', 'PR96']);
  });

  it('should deny the last line of a stay when asked for a reason that fits inpatient claims', () => {
    const c = fact('pneumonia');
    for (const seed of seeds(40)) {
      const denied = inpatientClaim(ctx(seed, [c]), { coverage, date: '2024-03-01', condition: c, deny: true });
      fits('inpatient')(denied.lines.at(-1)!.denialReason);
      // The last line itself is denied, no line added.
      expect(denied.lines.length).toBe(inpatientClaim(ctx(seed, [c]), { coverage, date: '2024-03-01', condition: c }).lines.length);
    }
  });
});

describe('inpatientClaim, line by line', () => {
  it('should stay on average 1.3 × the MS-DRG GMLOS (bipolar disorder: MS-DRG 885, GMLOS 6.5 days)', () => {
    const c = fact('bipolar-disorder', '2023-01-01');
    expect(row(c.key).drgs).toEqual(['885']);
    const gmlos = codeMaps.drgs.get('885')!.los;
    const stays = seeds(300).map((seed) => daysBetween('2024-03-01', inpatientClaim(ctx(seed, [c]), { coverage, date: '2024-03-01', condition: c }).serviceEnd));
    const mean = stays.reduce((a, b) => a + b, 0) / stays.length;
    expect(mean / (1.3 * gmlos)).toBeGreaterThan(0.92);
    expect(mean / (1.3 * gmlos)).toBeLessThan(1.08);
    // Log-normal dispersion: about half the stays are longer than the mean's geometric centre.
    const longer = stays.filter((d) => d > 1.3 * gmlos).length / stays.length;
    expect(longer).toBeGreaterThan(0.3);
    expect(longer).toBeLessThan(0.6);
  });

  it('should die in hospital when the death falls on the last planned day, and not when it falls the day after', () => {
    const c = fact('pneumonia');
    for (const seed of seeds(20)) {
      const planned = daysBetween('2024-03-01', inpatientClaim(ctx(seed, [c]), { coverage, date: '2024-03-01', condition: c }).serviceEnd);
      const onLast = inpatientClaim(ctx(seed, [c], { deceasedDate: addDays('2024-03-01', planned) }), { coverage, date: '2024-03-01', condition: c });
      expect(onLast.institutional!.dischargeStatus).toBe('20');
      expect(onLast.serviceEnd).toBe(addDays('2024-03-01', planned));
      const after = inpatientClaim(ctx(seed, [c], { deceasedDate: addDays('2024-03-01', planned + 1) }), { coverage, date: '2024-03-01', condition: c });
      expect(after.institutional!.dischargeStatus).not.toBe('20');
      expect(after.serviceEnd).toBe(addDays('2024-03-01', planned));
    }
  });

  it("should share the MS-DRG payment by the lines' weights × units: each line's allowed ÷ (weight × units) the same within ±10 %", () => {
    const c = fact('osteoarthritis-knee', '2023-01-01');
    const multiUnit = new Set<string>();
    for (const seed of seeds(30)) {
      const claim = inpatientClaim(ctx(seed, [c]), { coverage, date: '2024-03-01', condition: c });
      const perWeight = claim.lines.map((l) => allowed(l) / (weight(l.revenue!.code) * l.quantity));
      expect(Math.max(...perWeight) / Math.min(...perWeight), seed).toBeLessThanOrEqual(1.1 / 0.9 + 1e-3);
      for (const l of claim.lines) {
        expect(l.price.preventive).toBe(false);
        if (l.quantity > 1) multiUnit.add(l.revenue!.code);
      }
    }
    expect(multiUnit).toContain('0120');
    expect(multiUnit).toContain('0250');
  });

  it('should code the ED line, the operation and the lab and imaging ancillaries; bill the rest by revenue code alone, 1-6 units of drugs and supplies', () => {
    const c = fact('osteoarthritis-knee', '2023-01-01');
    const units: Record<string, Set<number>> = { '0250': new Set(), '0258': new Set(), '0636': new Set() };
    const seen = new Set<string>();
    const excess: number[] = [];
    for (const seed of seeds(100)) {
      const claim = inpatientClaim(ctx(seed, [c]), { coverage, date: '2024-03-01', condition: c });
      const los = daysBetween('2024-03-01', claim.serviceEnd);
      const op = claim.procedures[0]!.date;
      let ancillaries = 0;
      for (const l of claim.lines) {
        const r = l.revenue!.code;
        seen.add(r);
        expect(l.allowedUnits, `${seed} ${r}`).toBe(l.quantity);
        expect(l.diagnosisSequences).toEqual(claim.diagnoses.map((d) => d.sequence));
        expect('serviceEnd' in l, `${seed} ${r}`).toBe(r === '0120' || r === '0200');
        if (r === '0450') expect(use(l.code.code)).toBe('ed-visit');
        else if (r === '0360') expect(use(l.code.code)).toBe('surgery');
        else if (r === '0300') expect(use(l.code.code)).toBe('lab');
        else if (r === '0320') expect(use(l.code.code)).toBe('imaging');
        else expect(l.code, `${seed} ${r}`).toEqual(NA);
        if (r === '0360') expect(l.modifiers.map((m) => m.code)).toEqual(['RT']);
        else if (l.code.code === 'not-applicable') expect(l.modifiers).toEqual([]);
        if (['0370', '0710', '0272'].includes(r)) expect([l.serviceDate, l.quantity]).toEqual([op, 1]);
        if (!['0120', '0200', '0450', '0360', '0370', '0710', '0272'].includes(r)) {
          ancillaries++;
          expect(l.quantity, `${seed} ${r}`).toBeLessThanOrEqual(r in units ? 6 : 1);
          if (r in units) units[r]!.add(l.quantity);
        }
      }
      excess.push(ancillaries - (10 + 1.2 * los));
    }
    for (const r of ['0300', '0320', '0250', '0258', '0636', '0410', '0420', '0730']) expect(seen).toContain(r);
    for (const u of Object.values(units)) expect(Math.max(...u)).toBeGreaterThan(2);
    // About 10 + 1.2 × the length of stay ancillary lines, ± 2 (normal), at least 4.
    const mean = excess.reduce((a, b) => a + b, 0) / excess.length;
    const sd = Math.sqrt(excess.reduce((a, b) => a + (b - mean) ** 2, 0) / excess.length);
    expect(Math.abs(mean)).toBeLessThan(0.5);
    expect(sd).toBeGreaterThan(1.2);
    expect(sd).toBeLessThan(3);
  });

  it('should put one stay in five of 3 days or more partly in intensive care (1 to half the stay), and admit 60 % through the emergency room', () => {
    const c = fact('pneumonia');
    let long = 0;
    let icu = 0;
    let viaEd = 0;
    const icuDays = new Set<number>();
    const icuStays = new Set<number>();
    const n = 300;
    for (const seed of seeds(n)) {
      const claim = inpatientClaim(ctx(seed, [c]), { coverage, date: '2024-03-01', condition: c });
      const los = daysBetween('2024-03-01', claim.serviceEnd);
      const intensive = claim.lines.find((l) => l.revenue!.code === '0200');
      if (los >= 3) long++;
      if (intensive) {
        icu++;
        icuDays.add(intensive.quantity);
        icuStays.add(los);
        expect(intensive.quantity).toBeLessThanOrEqual(Math.max(1, Math.floor(los / 2)));
      }
      if (claim.institutional!.admissionType === '1') viaEd++;
    }
    expect(icu / long).toBeGreaterThan(0.12);
    expect(icu / long).toBeLessThan(0.28);
    expect(icuStays).toContain(3);
    expect(Math.max(...icuDays)).toBeGreaterThan(1);
    expect(viaEd / n).toBeGreaterThan(0.5);
    expect(viaEd / n).toBeLessThan(0.7);
  });

  it('should bill the operating room without a code when the code maps have no surgery row, or none whose revenue code the table has', () => {
    const none = { ...codeMaps, procedures: new Map([...codeMaps.procedures].filter(([, r]) => r.use !== 'surgery')) } as CodeMaps;
    const elsewhere = { ...codeMaps, procedures: new Map([...codeMaps.procedures].map(([k, r]) => [k, r.use === 'surgery' ? { ...r, revenue: '0361' } : r])) } as CodeMaps;
    const c = fact('osteoarthritis-knee', '2023-01-01');
    for (const maps of [none, elsewhere]) {
      for (const seed of seeds(5)) {
        const claim = inpatientClaim(ctx(seed, [c], { maps }), { coverage, date: '2024-03-01', condition: c });
        const or = claim.lines.filter((l) => l.revenue!.code === '0360');
        expect(or).toHaveLength(1);
        expect(or[0]).toMatchObject({ code: NA, serviceDate: claim.procedures[0]!.date, quantity: 1, allowedUnits: 1 });
      }
    }
  });

  it('should code lab and imaging ancillaries only when the revenue table has their revenue code (94010 bills 0460; imaging moved to 0321)', () => {
    const maps = withoutRevenue('0460');
    const c = fact('pneumonia');
    let labs = 0;
    for (const seed of seeds(100)) {
      const claim = inpatientClaim(ctx(seed, [c], { maps }), { coverage, date: '2024-03-01', condition: c });
      const codes = claim.lines.filter((l) => l.revenue!.code === '0300').map((l) => l.code.code);
      expect(codes).not.toContain('94010');
      labs += codes.length;
    }
    expect(labs).toBeGreaterThan(100);
    // Imaging rows whose revenue code the table lacks: the 0320 lines are billed uncoded.
    const noImaging = { ...codeMaps, procedures: new Map([...codeMaps.procedures].map(([k, r]) => [k, r.use === 'imaging' ? { ...r, revenue: '0321' } : r])) } as CodeMaps;
    let imaging = 0;
    for (const seed of seeds(20)) {
      const claim = inpatientClaim(ctx(seed, [c], { maps: noImaging }), { coverage, date: '2024-03-01', condition: c });
      for (const l of claim.lines.filter((x) => x.revenue!.code === '0320')) {
        imaging++;
        expect(l.code).toEqual(NA);
      }
    }
    expect(imaging).toBeGreaterThan(0);
  });

  it('should operate on the side the diagnosis names: right knee → right knee replacement; a side-less operation fits either side', () => {
    const knee = row('osteoarthritis-knee');
    expect(knee.icd10cm.map((i) => i.side)).toEqual(['right', 'left']);
    const side = (code: string) => [...codeMaps.pcs.values()].find((p) => p.code === code)?.side;
    const sides = { right: new Set<string>(), left: new Set<string>() };
    for (const seed of seeds(30)) {
      for (const [index, s] of [[0, 'right'], [1, 'left']] as const) {
        const c = fact(knee.key, '2023-01-01', index);
        const op = inpatientClaim(ctx(seed, [c]), { coverage, date: '2024-03-01', condition: c }).procedures[0]!;
        expect(side(op.pcs)).toBe(s);
        sides[s].add(op.pcs);
      }
    }
    expect(sides.right.size).toBe(knee.pcs.filter((k) => codeMaps.pcs.get(k)!.side === 'right').length);
    // The same condition with its left operation made side-less: a right knee may get it.
    const leftKey = knee.pcs.find((k) => codeMaps.pcs.get(k)!.side === 'left')!;
    const pcs = new Map(codeMaps.pcs);
    pcs.set(leftKey, { ...pcs.get(leftKey)!, side: undefined });
    const maps = { ...codeMaps, pcs } as CodeMaps;
    const right = fact(knee.key, '2023-01-01', 0);
    const picked = seeds(30).map((seed) => inpatientClaim(ctx(seed, [right], { maps }), { coverage, date: '2024-03-01', condition: right }).procedures[0]!.pcs);
    expect(picked).toContain(pcs.get(leftKey)!.code);
  });

  it('should draw the point of origin, the routine discharge status and the other diagnoses present on admission from all their values', () => {
    const main = fact('pneumonia');
    const others = [...codeMaps.conditions.values()].filter((r) => r.chronic).slice(0, 6).map((r) => fact(r.key, '2023-01-01'));
    const origin = new Set<string>();
    const discharge = new Set<string>();
    const poa = new Set<string>();
    for (const seed of seeds(40)) {
      const claim = inpatientClaim(ctx(seed, [main, ...others]), { coverage, date: '2024-03-01', condition: main });
      origin.add(claim.institutional!.pointOfOrigin);
      discharge.add(claim.institutional!.dischargeStatus);
      for (const d of claim.diagnoses.slice(2)) poa.add(d.onAdmission!);
      expect(claim.diagnoses[0]!.onAdmission).toBeDefined();
    }
    expect([...origin].sort()).toEqual(['1', '2']);
    expect([...discharge].sort()).toEqual(['01', '06']);
    expect([...poa].sort()).toEqual(['N', 'U', 'Y']);
  });

  it('should neither deny nor price per claim a forced stay when there is no showcase or it lists nothing', () => {
    const c = fact('pneumonia');
    for (const seed of seeds(10)) {
      for (const showcase of [undefined, {} as Showcase]) {
        const claim = inpatientClaim(ctx(seed, [c], { showcase }), { coverage, date: '2024-03-01', condition: c, forced: true });
        expect(claim.lines.some((l) => l.denialReason)).toBe(false);
        expect(claim).not.toHaveProperty('claimLevelAdjudication');
      }
    }
  });

  it("should pick the MS-DRG by relative weight^β, β = 0.5 per active chronic condition (at most 3) + 1 from 65", () => {
    // The condition's MS-DRGs weighted as the docstring says, drawn from a twin of the member's generator: the
    // context's constructor draws the primary-care doctor, pharmacy and hospital, then the pick is the first draw.
    const main = fact('coronary-artery-disease', '2023-01-01');
    const chronic = [...codeMaps.conditions.values()].filter((r) => r.chronic && r.key !== main.key).map((r) => fact(r.key, '2023-01-01'));
    const acute = [...codeMaps.conditions.values()].filter((r) => !r.chronic).map((r) => fact(r.key, '2024-02-20'));
    const later = chronic.slice(20, 24).map((c) => ({ ...c, onset: '2024-06-01' }));
    const cases: [string, ConditionFact[], number][] = [
      ['1990-01-01', [main], 0.5],
      ['1959-03-02', [main], 0.5],
      ['1959-03-01', [main], 1.5],
      ['1959-03-02', [main, ...chronic.slice(0, 1)], 1],
      ['1990-01-01', [main, ...chronic.slice(0, 2), ...acute.slice(0, 3), ...later], 1.5],
      ['1990-01-01', [main, ...chronic.slice(0, 5)], 3],
      ['1990-01-01', [main, ...chronic.slice(0, 9)], 3],
      ['1950-01-01', [main, ...chronic.slice(0, 9)], 4],
    ];
    for (const [birthDate, conditions, beta] of cases) {
      for (const seed of seeds(60, `b${beta}-`)) {
        const drg = inpatientClaim(ctx(seed, conditions, { birthDate }), { coverage, date: '2024-03-01', condition: main }).institutional!.drg;
        const twin = ctx(seed, conditions, { birthDate });
        const expected = twin.rng.weighted(row(main.key).drgs, (code) => Math.pow(codeMaps.drgs.get(code)!.weight, beta));
        expect(drg, `${birthDate} ${conditions.length} β ${beta} ${seed}`).toBe(expected);
      }
    }
  });
});
