import { describe, expect, it } from 'vitest';
import type { CodeMaps } from '../../src/codemaps/types.js';
import type { Profile } from '../../src/profile/types.js';
import { MemberClaimsContext } from '../../src/story/claims/context.js';
import { inpatientClaim, outpatientClaim } from '../../src/story/claims/institutional.js';
import { bookMultiple, drgPayment } from '../../src/story/claims/pricing.js';
import type { Showcase } from '../../src/story/showcase.js';
import type { ConditionFact, CoverageFact, Directory, MemberFact } from '../../src/story/types.js';
import { addDays, daysBetween } from '../../src/util/dates.js';
import { Rng } from '../../src/util/rng.js';
import { codeMaps } from '../helpers/output.js';

/**
 * The hospital claim builders worked by hand (issue 19), with the shipped code maps and a hand-made member and
 * directory: outpatient visits (emergency or scheduled, the operation's four revenue lines, 3-9 or 2-8 further lines,
 * revenue lines' units, type of bill and admission codes, the denied first line, the case rate) and inpatient stays
 * (accommodation days = length of stay, ICU apart, the ED line when admitted through it, the operation on its day,
 * ancillaries within the stay, the MS-DRG payment shared among the lines, death in hospital, denial of the last line).
 * Fixtures are built inside each test (Stryker switches a mutant on after the file loads).
 */

const coverage: CoverageFact = { ordinal: 2, planId: 'p', planName: 'p', planType: 'commercial', group: { id: 'g', name: 'g' }, start: '2024-01-01', end: '2024-12-31', status: 'active' };
const seeds = Array.from({ length: 40 }, (_, i) => `s${i}`);
const ED_REVENUE = ['0250', '0258', '0260', '0270', '0301', '0305', '0300', '0350', '0636', '0730', '0306'];
const SCHEDULED_REVENUE = ['0250', '0270', '0300', '0301', '0305', '0320', '0350', '0636', '0260'];
const SURGERY = ['0360', '0370', '0710', '0272'];

function ctx(seed: string, conditions: ConditionFact[], o: { birthDate?: string; deceasedDate?: string; showcase?: Showcase; maps?: CodeMaps } = {}): MemberClaimsContext {
  const directory = {
    payer: {},
    organizations: [{ id: 'h', kind: 'hospital' }, { id: 'rx', kind: 'pharmacy' }],
    practitioners: [{ id: 'pcp', role: 'primary-care', organizationId: 'h' }, { id: 'spec', role: 'specialist', organizationId: 'h' }],
  } as unknown as Directory;
  const profile = { period: { start: '2024-01-01', end: '2024-12-31' }, claims: { outOfNetworkRate: 0, denialRate: 0 } } as unknown as Profile;
  const member = { birthDate: o.birthDate ?? '1970-01-01', deceasedDate: o.deceasedDate } as unknown as MemberFact;
  return new MemberClaimsContext(new Rng(seed), undefined as never, profile, o.maps ?? codeMaps, directory, member, conditions, [coverage], new Map(), o.showcase);
}
const fact = (key: string, onset = '2024-01-01'): ConditionFact => ({ key, onset, icd10Index: 0 }) as ConditionFact;
const rows = () => [...codeMaps.conditions.values()];
const use = (code: string) => [...codeMaps.procedures.values()].find((r) => r.code === code)?.use;

describe('outpatientClaim', () => {
  it('should bill an emergency visit: the ED level first, 3 to 9 further lines, admission codes 1/1, no referral', () => {
    const acute = fact(rows().find((r) => !r.chronic)!.key);
    const counts = new Set<number>();
    for (const seed of seeds) {
      const claim = outpatientClaim(ctx(seed, [acute]), { coverage, date: '2024-01-05', condition: acute });
      expect(claim).toMatchObject({ type: 'outpatient', coverageOrdinal: 2, serviceStart: '2024-01-05', serviceEnd: '2024-01-05', billingProviderId: 'h', attendingPractitionerId: 'spec', network: 'innetwork', procedures: [] });
      expect(claim.referringPractitionerId).toBeUndefined();
      expect(claim.claimLevelAdjudication).toBeUndefined();
      expect(claim.institutional).toMatchObject({ typeOfBill: '0131', pointOfOrigin: '1', admissionType: '1', dischargeStatus: '01' });
      expect(claim.institutional!.medicalRecordNumber).toMatch(/^MRN\d{8}$/);
      expect(claim.institutional!.patientAccountNumber).toMatch(/^PA\d{10}$/);
      expect(claim.diagnoses[0]).toMatchObject({ sequence: 1, role: 'principal', conditionKey: acute.key });
      expect(claim.diagnoses).toHaveLength(1);
      expect(use(claim.lines[0]!.code.code)).toBe('ed-visit');
      expect(claim.lines[0]!.denialReason).toBeUndefined();
      counts.add(claim.lines.length - 1);
      expect(claim.lines.length - 1).toBeGreaterThanOrEqual(3);
      expect(claim.lines.length - 1).toBeLessThanOrEqual(9);
      for (const l of claim.lines.slice(1)) {
        expect(l.serviceDate).toBe('2024-01-05');
        expect(l.diagnosisSequences).toEqual([1]);
        expect(l.price.submitted).toBeGreaterThan(0);
        if (l.code.code === 'not-applicable') {
          expect(l.code).toEqual({ system: 'not-applicable', code: 'not-applicable', display: 'Not Applicable', licensed: false });
          expect(ED_REVENUE).toContain(l.revenue!.code);
          expect(l.allowedUnits).toBe(l.quantity);
          expect(l.modifiers).toEqual([]);
          expect(l.quantity).toBeLessThanOrEqual(['0250', '0636'].includes(l.revenue!.code) ? 4 : 1);
        } else {
          expect(['lab', 'imaging']).toContain(use(l.code.code));
          expect(l.code.code).not.toBe(claim.lines[0]!.code.code);
        }
      }
      const coded = claim.lines.filter((l) => l.code.code !== 'not-applicable').map((l) => l.code.code);
      expect(new Set(coded).size).toBe(coded.length);
    }
    expect(counts.size).toBeGreaterThan(3);
    const units = { '0250': new Set<number>(), '0636': new Set<number>() };
    let coded = 0;
    for (const seed of seeds) {
      for (const l of outpatientClaim(ctx(seed, [acute]), { coverage, date: '2024-01-05', condition: acute }).lines.slice(1)) {
        if (l.code.code !== 'not-applicable') coded++;
        else if (l.revenue!.code === '0250' || l.revenue!.code === '0636') units[l.revenue!.code].add(l.quantity);
      }
    }
    // Pharmacy (0250) and drugs (0636) are billed 1-4 units; tests coded where the code map has one, 45 % of lines.
    for (const u of Object.values(units)) expect([...u].some((n) => n > 1)).toBe(true);
    expect(coded).toBeGreaterThan(seeds.length);
  });

  it('should bill a scheduled visit: a test first, an operation on some (four revenue lines), referred by the primary-care doctor, admission codes 2/3', () => {
    const chronic = rows().filter((r) => r.chronic);
    const main = fact(chronic[0]!.key, '2023-01-01');
    const others = chronic.slice(1, 9).map((r) => fact(r.key, '2023-01-01'));
    let surgeries = 0;
    let diagnoses = 0;
    for (const seed of seeds) {
      const claim = outpatientClaim(ctx(seed, [main, ...others]), { coverage, date: '2024-02-05', condition: main, emergency: false, outOfNetwork: true });
      expect(claim.network).toBe('outofnetwork');
      expect(claim.referringPractitionerId).toBe('pcp');
      expect(claim.institutional).toMatchObject({ typeOfBill: '0131', pointOfOrigin: '2', admissionType: '3', dischargeStatus: '01' });
      expect(['lab', 'imaging']).toContain(use(claim.lines[0]!.code.code));
      const surgery = claim.lines.slice(1, 5).map((l) => l.revenue?.code);
      const extra = claim.lines.length - 1;
      if (surgery.join() === SURGERY.join() && claim.lines.slice(1, 5).every((l) => l.code.code === 'not-applicable')) {
        surgeries++;
        expect(extra - 4).toBeGreaterThanOrEqual(-1);
        expect(extra - 4).toBeLessThanOrEqual(5);
      } else {
        expect(extra).toBeGreaterThanOrEqual(2);
        expect(extra).toBeLessThanOrEqual(8);
      }
      for (const l of claim.lines.slice(1)) if (l.code.code === 'not-applicable' && !SURGERY.includes(l.revenue!.code)) expect(SCHEDULED_REVENUE).toContain(l.revenue!.code);
      const d = claim.diagnoses;
      expect(d.length).toBeLessThanOrEqual(6);
      diagnoses += d.length;
      d.slice(1).forEach((x, i) => expect(x).toMatchObject({ sequence: i + 2, role: 'other' }));
      for (const l of claim.lines) expect(l.diagnosisSequences).toEqual(d.map((x) => x.sequence));
    }
    expect(surgeries).toBeGreaterThan(0);
    expect(surgeries).toBeLessThan(seeds.length / 2);
    expect(diagnoses).toBeGreaterThan(seeds.length * 4);
  });

  it('should deny the first line when asked or when the showcase asks for it, and price the visit per case on the showcase', () => {
    const acute = fact(rows().find((r) => !r.chronic)!.key);
    for (const seed of seeds.slice(0, 10)) {
      const denied = outpatientClaim(ctx(seed, [acute]), { coverage, date: '2024-01-05', condition: acute, deny: true });
      expect(denied.lines[0]!.denialReason).toBeDefined();
      expect(denied.lines.slice(1).every((l) => !l.denialReason)).toBe(true);
      const show = { deniedLineIn: ['outpatient'], claimLevel: ['outpatient'] } as unknown as Showcase;
      const forced = outpatientClaim(ctx(seed, [acute], { showcase: show }), { coverage, date: '2024-01-05', condition: acute, forced: true });
      expect(forced.lines[0]!.denialReason).toBeDefined();
      expect(forced.claimLevelAdjudication).toBe(true);
      expect(forced.forced).toBe(true);
      const notForced = outpatientClaim(ctx(seed, [acute], { showcase: show }), { coverage, date: '2024-01-05', condition: acute });
      expect(notForced.lines[0]!.denialReason).toBeUndefined();
      expect(notForced).not.toHaveProperty('claimLevelAdjudication');
      const other = { deniedLineIn: ['inpatient'], claimLevel: ['inpatient'] } as unknown as Showcase;
      const elsewhere = outpatientClaim(ctx(seed, [acute], { showcase: other }), { coverage, date: '2024-01-05', condition: acute, forced: true });
      expect(elsewhere.lines[0]!.denialReason).toBeUndefined();
      expect(elsewhere).not.toHaveProperty('claimLevelAdjudication');
    }
  });

  it('should make a chronic condition an emergency on some visits only', () => {
    const main = fact(rows().find((r) => r.chronic)!.key, '2023-01-01');
    const types = seeds.map((seed) => outpatientClaim(ctx(seed, [main]), { coverage, date: '2024-02-05', condition: main }).institutional!.admissionType);
    expect(types).toContain('1');
    expect(types).toContain('3');
  });
});

describe('inpatientClaim', () => {
  const drgRow = () => rows().find((r) => r.drgs.length > 0 && r.pcs.length > 0)!;

  it('should bill the stay: accommodation days = length of stay (ICU apart), the operation on its day, ancillaries within the stay, the MS-DRG payment shared', () => {
    const row = drgRow();
    const c = fact(row.key);
    const stays = new Set<number>();
    let icu = 0;
    let viaEd = 0;
    for (const seed of seeds) {
      const claim = inpatientClaim(ctx(seed, [c]), { coverage, date: '2024-03-01', condition: c });
      const los = daysBetween('2024-03-01', claim.serviceEnd);
      stays.add(los);
      expect(los).toBeGreaterThanOrEqual(1);
      expect(claim).toMatchObject({ type: 'inpatient', coverageOrdinal: 2, serviceStart: '2024-03-01', billingProviderId: 'h', attendingPractitionerId: 'spec', operatingPractitionerId: 'spec' });
      expect(claim.claimLevelAdjudication).toBeUndefined();
      const inst = claim.institutional!;
      expect(row.drgs).toContain(inst.drg);
      expect(inst.admissionPeriod).toEqual({ start: '2024-03-01', end: claim.serviceEnd });
      expect(inst.typeOfBill).toBe('0111');
      expect(['01', '06']).toContain(inst.dischargeStatus);
      expect(['1', '2']).toContain(inst.pointOfOrigin);
      const room = claim.lines.filter((l) => l.revenue?.code === '0120');
      const intensive = claim.lines.filter((l) => l.revenue?.code === '0200');
      expect(room).toHaveLength(1);
      expect(room[0]!.serviceEnd).toBe(claim.serviceEnd);
      if (intensive.length) {
        icu++;
        expect(intensive[0]!.serviceDate).toBe('2024-03-01');
        expect(intensive[0]!.serviceEnd).toBe(addDays('2024-03-01', intensive[0]!.quantity));
        expect(room[0]!.serviceDate).toBe(intensive[0]!.serviceEnd);
        expect(intensive[0]!.quantity).toBeLessThanOrEqual(Math.max(1, Math.floor(los / 2)));
        expect(los).toBeGreaterThanOrEqual(3);
      } else {
        expect(room[0]!.serviceDate).toBe('2024-03-01');
      }
      expect(room[0]!.quantity + (intensive[0]?.quantity ?? 0)).toBe(los);
      const ed = claim.lines.filter((l) => l.revenue?.code === '0450');
      expect(ed.length).toBe(inst.admissionType === '1' ? 1 : 0);
      if (ed.length) {
        viaEd++;
        expect(use(ed[0]!.code.code)).toBe('ed-visit');
      }
      expect(claim.procedures).toHaveLength(1);
      const op = claim.procedures[0]!;
      expect(op).toMatchObject({ sequence: 1, role: 'principal', date: addDays('2024-03-01', Math.min(1, los - 1)) });
      expect(row.pcs.map((k) => codeMaps.pcs.get(k)!.code)).toContain(op.pcs);
      for (const r of SURGERY) {
        const l = claim.lines.filter((x) => x.revenue?.code === r && x.serviceDate === op.date);
        expect(l.length).toBeGreaterThanOrEqual(1);
      }
      const ancillaries = claim.lines.filter((l) => !['0120', '0200', '0450', ...SURGERY].includes(l.revenue!.code));
      expect(ancillaries.length).toBeGreaterThanOrEqual(4);
      for (const l of claim.lines) {
        expect(l.serviceDate >= '2024-03-01' && l.serviceDate <= addDays('2024-03-01', Math.max(0, los - 1)) || l === room[0]).toBe(true);
        expect(l.revenue).toEqual({ code: l.revenue!.code, display: expect.any(String) });
        expect(l.denialReason).toBeUndefined();
      }
      // The MS-DRG payment × the commercial hospital book, each line's allowed ±10 %.
      const drg = codeMaps.drgs.get(inst.drg!)!;
      const expected = drgPayment(codeMaps.pricing, drg.weight) * bookMultiple(codeMaps.pricing, 'commercial', 'hospital') * 100;
      const allowed = claim.lines.reduce((n, l) => n + l.price.submitted * l.price.allowedRatio, 0);
      expect(allowed).toBeGreaterThanOrEqual(expected * 0.9 - claim.lines.length);
      expect(allowed).toBeLessThanOrEqual(expected * 1.1 + claim.lines.length);
      const d = claim.diagnoses;
      expect(d[0]).toMatchObject({ sequence: 1, role: 'principal', conditionKey: row.key });
      expect(d[1]).toMatchObject({ sequence: 2, role: 'admitting', conditionKey: row.key, onAdmission: 'Y' });
    }
    expect(stays.size).toBeGreaterThan(2);
    expect(icu).toBeGreaterThan(0);
    expect(viaEd).toBeGreaterThan(0);
    expect(viaEd).toBeLessThan(seeds.length);
  });

  it('should end the stay on the day of a death within it (discharge status 20), deny the last line when asked, and price Medicare Advantage per claim', () => {
    const c = fact(drgRow().key);
    for (const seed of seeds.slice(0, 10)) {
      const dies = inpatientClaim(ctx(seed, [c], { deceasedDate: '2024-03-02' }), { coverage, date: '2024-03-01', condition: c, deny: true });
      expect(dies.serviceEnd).toBe('2024-03-02');
      expect(dies.institutional!.dischargeStatus).toBe('20');
      const last = dies.lines.at(-1)!;
      expect(last.denialReason).toBeDefined();
      expect(last.price.denial).toEqual({ group: last.denialReason!.group });
      expect(dies.lines.slice(0, -1).every((l) => !l.denialReason)).toBe(true);
      const later = inpatientClaim(ctx(seed, [c], { deceasedDate: '2024-11-30' }), { coverage, date: '2024-03-01', condition: c });
      expect(later.institutional!.dischargeStatus).not.toBe('20');
      const sameDay = inpatientClaim(ctx(seed, [c], { deceasedDate: '2024-03-01' }), { coverage, date: '2024-03-01', condition: c });
      expect(sameDay.institutional!.dischargeStatus).toBe('20');
      expect(sameDay.lines.find((l) => l.revenue?.code === '0120')!.quantity).toBe(1);
      const ma = inpatientClaim(ctx(seed, [c]), { coverage: { ...coverage, planType: 'medicare-advantage' }, date: '2024-03-01', condition: c });
      expect(ma.claimLevelAdjudication).toBe(true);
      const show = { deniedLineIn: ['inpatient'], claimLevel: ['inpatient'] } as unknown as Showcase;
      const forced = inpatientClaim(ctx(seed, [c], { showcase: show }), { coverage, date: '2024-03-01', condition: c, forced: true });
      expect(forced.claimLevelAdjudication).toBe(true);
      expect(forced.lines.at(-1)!.denialReason).toBeDefined();
      const other = { deniedLineIn: ['outpatient'], claimLevel: ['outpatient'] } as unknown as Showcase;
      const elsewhere = inpatientClaim(ctx(seed, [c], { showcase: other }), { coverage, date: '2024-03-01', condition: c, forced: true });
      expect(elsewhere).not.toHaveProperty('claimLevelAdjudication');
      expect(elsewhere.lines.some((l) => l.denialReason)).toBe(false);
    }
  });

  it("should price the coverage plan's perLine admission per line under Medicare Advantage too, and its claimLevel one per claim under Medicaid (s19 D: one of each shape in every population)", () => {
    const c = fact(drgRow().key);
    const ma = { ...coverage, planType: 'medicare-advantage' as const };
    const medicaid = { ...coverage, planType: 'medicaid' as const };
    const perLine = { deniedLineIn: ['inpatient'], perLine: ['inpatient'] } as unknown as Showcase;
    const claimLevel = { claimLevel: ['inpatient'] } as unknown as Showcase;
    for (const seed of seeds.slice(0, 10)) {
      const forcedMa = inpatientClaim(ctx(seed, [c], { showcase: perLine }), { coverage: ma, date: '2024-03-01', condition: c, forced: true });
      expect(forcedMa).not.toHaveProperty('claimLevelAdjudication');
      expect(forcedMa.lines.at(-1)!.denialReason).toBeDefined();
      // Only the coverage plan's own admission: the member's other Medicare Advantage stays stay per claim.
      const otherMa = inpatientClaim(ctx(seed, [c], { showcase: perLine }), { coverage: ma, date: '2024-03-01', condition: c });
      expect(otherMa.claimLevelAdjudication).toBe(true);
      const forcedMedicaid = inpatientClaim(ctx(seed, [c], { showcase: claimLevel }), { coverage: medicaid, date: '2024-03-01', condition: c, forced: true });
      expect(forcedMedicaid.claimLevelAdjudication).toBe(true);
      const otherMedicaid = inpatientClaim(ctx(seed, [c], { showcase: claimLevel }), { coverage: medicaid, date: '2024-03-01', condition: c });
      expect(otherMedicaid).not.toHaveProperty('claimLevelAdjudication');
    }
  });

  it('should refuse a condition whose MS-DRG is missing, and pick heavier MS-DRGs for older members with more chronic conditions', () => {
    const row = rows().find((r) => r.drgs.length > 1)!;
    const c = fact(row.key);
    const maps = { ...codeMaps, drgs: new Map() } as unknown as CodeMaps;
    expect(() => inpatientClaim(ctx('x', [c], { maps }), { coverage, date: '2024-03-01', condition: c })).toThrow(`condition '${row.key}' names an MS-DRG missing from code-maps/ms-drg.json`);
    const chronic = rows().filter((r) => r.chronic).slice(0, 6).map((r) => fact(r.key, '2023-01-01'));
    const mean = (birthDate: string, conditions: ConditionFact[]) => {
      let sum = 0;
      for (let i = 0; i < 200; i++) sum += codeMaps.drgs.get(inpatientClaim(ctx(`w${i}`, [c, ...conditions], { birthDate }), { coverage, date: '2024-03-01', condition: c }).institutional!.drg!)!.weight;
      return sum / 200;
    };
    expect(mean('1940-01-01', chronic)).toBeGreaterThan(mean('1990-01-01', []) * 1.05);
  });
});
