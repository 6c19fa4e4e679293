import { describe, expect, it } from 'vitest';
import type { CodeMaps } from '../../src/codemaps/types.js';
import type { Profile } from '../../src/profile/types.js';
import { ambulanceClaim } from '../../src/story/claims/ambulance.js';
import { MemberClaimsContext } from '../../src/story/claims/context.js';
import { oralClaim } from '../../src/story/claims/oral.js';
import { examReason, professionalClaim } from '../../src/story/claims/professional.js';
import type { Showcase } from '../../src/story/showcase.js';
import type { ConditionFact, CoverageFact, Directory, MemberFact } from '../../src/story/types.js';
import { Rng } from '../../src/util/rng.js';
import { codeMaps } from '../helpers/output.js';

/**
 * The ambulance and dental claim builders worked by hand (issue 19), with the shipped code maps and a hand-made
 * member and directory: one transport line and one mileage line whose quantity is the miles, place of service 41,
 * the pickup and drop-off addresses, the round trip only when forced; the dental exam and cleaning (child or adult
 * rows), x-rays on the first visit of the year, primary teeth under 12, a denied line when asked, orthodontics
 * 11-17, dentures from 60, periodontal scaling with modifier 59, wisdom teeth missing for adults only.
 * Fixtures are built inside each test (Stryker switches a mutant on after the file loads).
 */

const coverage: CoverageFact = { ordinal: 3, planId: 'p', planName: 'p', planType: 'commercial', group: { id: 'g', name: 'g' }, start: '2024-01-01', end: '2024-12-31', status: 'active' };
const seeds = Array.from({ length: 40 }, (_, i) => `s${i}`);

function ctx(seed: string, birthDate: string, showcase?: Showcase, maps: CodeMaps = codeMaps, denialRate = 0): MemberClaimsContext {
  const directory = {
    payer: {},
    organizations: [
      { id: 'amb', kind: 'ambulance' },
      { id: 'h', kind: 'hospital', name: 'General Hospital', address: { line: ['1 Main St'], city: 'Salem', state: 'OR', postalCode: '97301' } },
      { id: 'rx', kind: 'pharmacy' },
      { id: 'dds', kind: 'dental-practice' },
    ],
    practitioners: [{ id: 'pcp', role: 'primary-care', organizationId: 'h' }, { id: 'dent', role: 'dentist', organizationId: 'dds' }],
  } as unknown as Directory;
  const profile = { period: { start: '2024-01-01', end: '2024-12-31' }, claims: { outOfNetworkRate: 0, denialRate } } as unknown as Profile;
  const member = { birthDate, address: { line: ['9 Elm Rd', 'Apt 2'], city: 'Bend', state: 'OR', postalCode: '97701' } } as unknown as MemberFact;
  return new MemberClaimsContext(new Rng(seed), undefined as never, profile, maps, directory, member, [], [coverage], new Map(), showcase);
}

function condition(): ConditionFact {
  const key = [...codeMaps.conditions.keys()][0]!;
  return { key, onset: '2024-01-01', icd10Index: 0 } as ConditionFact;
}

describe('ambulanceClaim', () => {
  it('should bill a transport line and a mileage line of the miles driven, from home to the hospital', () => {
    const c = condition();
    const icd = codeMaps.conditions.get(c.key)!.icd10cm[0]!;
    const miles = new Set<number>();
    for (const seed of seeds) {
      const claim = ambulanceClaim(ctx(seed, '1950-05-05'), { coverage, date: '2024-03-04', condition: c });
      expect(claim).toMatchObject({ type: 'professional', coverageOrdinal: 3, serviceStart: '2024-03-04', serviceEnd: '2024-03-04', billingProviderId: 'amb', facilityId: 'amb', network: 'innetwork', procedures: [] });
      expect(claim.renderingPractitionerId).toBeUndefined();
      expect(claim.forced).toBeUndefined();
      expect(claim.diagnoses).toEqual([{ sequence: 1, icd10cm: icd.code, display: icd.display, role: 'principal', conditionKey: c.key }]);
      expect(claim.lines).toHaveLength(2);
      const [transport, mileage] = claim.lines;
      expect(transport!.code.display).not.toMatch(/mileage/i);
      expect(['A0427', 'A0429']).toContain(transport!.code.code);
      expect(mileage!.code.display).toMatch(/mileage/i);
      for (const l of claim.lines) {
        expect(l.placeOfService).toBe('41');
        expect(l.diagnosisSequences).toEqual([1]);
        expect(l.serviceDate).toBe('2024-03-04');
        expect(l.denialReason).toBeUndefined();
      }
      expect(transport!.quantity).toBe(1);
      const a = claim.ambulance!;
      expect(mileage!.quantity).toBe(a.miles);
      miles.add(a.miles);
      expect(a.miles).toBeGreaterThanOrEqual(2);
      expect(a.miles).toBeLessThanOrEqual(25);
      expect(a.weightLb).toBeGreaterThanOrEqual(90);
      expect(a.weightLb).toBeLessThanOrEqual(260);
      expect(a.reason).toBe('A');
      expect(a.pickup).toBe('9 Elm Rd, Bend, OR 97701');
      expect(a.dropoff).toBe('General Hospital, 1 Main St, Salem, OR');
      expect(a.stretcherPurpose).toBe('Patient unable to sit or stand safely');
      expect('roundTripPurpose' in a).toBe(false);
    }
    expect(miles.size).toBeGreaterThan(5);
  });

  it('should add the round trip only to a forced claim, and refuse code maps without transport or mileage codes', () => {
    const claim = ambulanceClaim(ctx('f', '1950-05-05'), { coverage, date: '2024-03-04', condition: condition(), forced: true });
    expect(claim.forced).toBe(true);
    expect(claim.ambulance!.roundTripPurpose).toBe('Return home after emergency department care');
    for (const drop of [/mileage/i, /^(?![\s\S]*mileage)/i]) {
      const procedures = new Map([...codeMaps.procedures].filter(([, r]) => r.use !== 'ambulance' || !drop.test(r.display)));
      const maps = { ...codeMaps, procedures } as CodeMaps;
      expect(() => ambulanceClaim(ctx('f', '1950-05-05', undefined, maps), { coverage, date: '2024-03-04', condition: condition() })).toThrow(
        'code-maps/professional-procedures.json needs ambulance transport and mileage codes',
      );
    }
  });
});

describe('oralClaim', () => {
  const codes = (c: ReturnType<typeof oralClaim>) => c.lines.map((l) => l.code.code);
  const showcase = (s: Partial<Showcase>) => s as Showcase;

  it("should bill an adult's exam and cleaning at the practice, x-rays on the first visit of the year, no child's codes", () => {
    const missing = new Set<string>();
    let restorations = 0;
    let extractions = 0;
    for (const seed of seeds) {
      const visit = { coverage, date: '2024-05-06', firstOfYear: seed < 's2' };
      const claim = oralClaim(ctx(seed, '1984-05-06'), visit);
      expect(claim).toMatchObject({ type: 'oral', coverageOrdinal: 3, serviceStart: '2024-05-06', serviceEnd: '2024-05-06', billingProviderId: 'dds', facilityId: 'dds', renderingPractitionerId: 'dent', network: 'innetwork', procedures: [] });
      expect(claim.diagnoses).toEqual([{ sequence: 1, icd10cm: 'Z01.20', display: 'Encounter for dental examination and cleaning without abnormal findings', role: 'principal' }]);
      const c = codes(claim);
      expect(c.slice(0, 2)).toEqual(['D0120', 'D1110']);
      expect(c.includes('D0210')).toBe(visit.firstOfYear);
      for (const no of ['D1120', 'D1206', 'D8080', 'D5110', 'D4342']) expect(c).not.toContain(no);
      for (const l of claim.lines) {
        expect(l.placeOfService).toBe('11');
        expect(l.diagnosisSequences).toEqual([1]);
        expect(l.denialReason).toBeUndefined();
      }
      if (c.includes('D2391')) restorations++;
      const x = claim.lines.find((l) => l.code.code === 'D7140');
      if (x) {
        extractions++;
        expect(Number(x.tooth)).toBeGreaterThanOrEqual(1);
      }
      const r = claim.lines.find((l) => l.code.code === 'D2391');
      if (r) {
        expect(Number(r.tooth)).toBeGreaterThanOrEqual(1);
        expect(r.surfaces).toHaveLength(1);
      }
      expect(claim.oral!.missingTeeth.length).toBeLessThanOrEqual(1);
      for (const t of claim.oral!.missingTeeth) missing.add(t);
      expect(claim.oral).not.toHaveProperty('orthodonticMonths');
      expect(claim.oral).not.toHaveProperty('prosthesisInitial');
    }
    for (const t of missing) expect(['1', '16', '17', '32']).toContain(t);
    expect(missing.size).toBeGreaterThan(1);
    expect(restorations).toBeGreaterThan(0);
    expect(restorations).toBeLessThan(seeds.length);
    expect(extractions).toBeLessThan(seeds.length);
  });

  it('should extract a permanent tooth on a few adult visits without a filling, never on a child\'s', () => {
    let adult = 0;
    for (let i = 0; i < 300; i++) {
      const a = oralClaim(ctx(`x${i}`, '1984-05-06'), { coverage, date: '2024-05-06', firstOfYear: false });
      const x = a.lines.filter((l) => l.code.code === 'D7140');
      if (x.length) {
        adult++;
        expect(x[0]!.tooth).toMatch(/^\d+$/);
        expect(codes(a)).not.toContain('D2391');
      }
      expect(codes(oralClaim(ctx(`x${i}`, '2016-05-06'), { coverage, date: '2024-05-06', firstOfYear: false }))).not.toContain('D7140');
    }
    expect(adult).toBeGreaterThan(0);
    expect(adult).toBeLessThan(40);
  });

  it("should bill a child's cleaning and fluoride on some visits, fill primary teeth under 12 and permanent ones from 12, and no missing teeth", () => {
    let fluoride = 0;
    for (const seed of seeds) {
      const young = oralClaim(ctx(seed, '2016-05-06'), { coverage, date: '2024-05-06', firstOfYear: false, forced: true });
      const c = codes(young);
      expect(c.slice(0, 2)).toEqual(['D0120', 'D1120']);
      if (c.includes('D1206')) fluoride++;
      expect(c).not.toContain('D1110');
      expect(c).not.toContain('D7140');
      expect(young.oral!.missingTeeth).toEqual([]);
      expect(young.lines.find((l) => l.code.code === 'D2391')!.tooth).toMatch(/^[A-T]$/);
      const twelve = oralClaim(ctx(seed, '2012-05-06'), { coverage, date: '2024-05-06', firstOfYear: false, forced: true });
      expect(twelve.lines.find((l) => l.code.code === 'D2391')!.tooth).toMatch(/^\d+$/);
      expect(twelve.oral!.missingTeeth).toEqual([]);
    }
    expect(fluoride).toBeGreaterThan(0);
    expect(fluoride).toBeLessThan(seeds.length);
  });

  it('should bill orthodontics from 11 to 17 and dentures from 60 on a forced visit, each with its own facts', () => {
    for (const seed of seeds.slice(0, 10)) {
      for (const [birth, ortho] of [['2013-05-06', true], ['2013-05-07', false], ['2006-05-07', true], ['2006-05-06', false]] as const) {
        const claim = oralClaim(ctx(seed, birth), { coverage, date: '2024-05-06', firstOfYear: false, forced: true });
        if (ortho) {
          expect(codes(claim)).toContain('D8080');
          expect(claim.oral!.orthodonticMonths).toBeGreaterThanOrEqual(18);
          expect(claim.oral!.orthodonticMonths).toBeLessThanOrEqual(30);
        } else {
          expect(codes(claim)).not.toContain('D8080');
          expect(claim.oral).not.toHaveProperty('orthodonticMonths');
        }
      }
      const old = oralClaim(ctx(seed, '1964-05-06', showcase({ denture: true })), { coverage, date: '2024-05-06', firstOfYear: false, forced: true });
      expect(codes(old)).toContain('D5110');
      expect(typeof old.oral!.prosthesisInitial).toBe('boolean');
      const younger = oralClaim(ctx(seed, '1964-05-07', showcase({ denture: true })), { coverage, date: '2024-05-06', firstOfYear: false, forced: true });
      expect(codes(younger)).not.toContain('D5110');
      expect(younger.oral).not.toHaveProperty('prosthesisInitial');
      const notShown = oralClaim(ctx(seed, '1950-05-06'), { coverage, date: '2024-05-06', firstOfYear: false, forced: true });
      expect(notShown.oral!.orthodonticMonths).toBeUndefined();
    }
  });

  it('should scale two or three neighbouring teeth of one quadrant with modifier 59 on a periodontal showcase visit, wisdom teeth missing', () => {
    for (const seed of seeds) {
      const claim = oralClaim(ctx(seed, '1980-01-01', showcase({ periodontal: true })), { coverage, date: '2024-05-06', firstOfYear: false, forced: true });
      const line = claim.lines.find((l) => l.code.code === 'D4342')!;
      expect(claim.lines.indexOf(line)).toBe(2);
      const teeth = [line.tooth!, ...line.additionalTeeth!].map(Number);
      expect(teeth.length === 2 || teeth.length === 3).toBe(true);
      const q = Math.floor((teeth[0]! - 1) / 8);
      for (let i = 0; i < teeth.length; i++) {
        expect(teeth[i]).toBe(teeth[0]! + i);
        expect(Math.floor((teeth[i]! - 1) / 8)).toBe(q);
        expect((teeth[i]! - 1) % 8).toBeGreaterThanOrEqual(1);
        expect((teeth[i]! - 1) % 8).toBeLessThanOrEqual(6);
      }
      expect(line.modifiers).toEqual([{ system: 'cpt', code: '59', display: expect.any(String) }]);
      expect(line.placeOfService).toBe('11');
      expect(claim.oral!.missingTeeth).toHaveLength(1);
      const plain = oralClaim(ctx(seed, '1980-01-01'), { coverage, date: '2024-05-06', firstOfYear: false, forced: true });
      expect(codes(plain)).not.toContain('D4342');
      const child = oralClaim(ctx(seed, '2014-01-01', showcase({ periodontal: true })), { coverage, date: '2024-05-06', firstOfYear: false, forced: true });
      expect(codes(child)).not.toContain('D4342');
    }
  });

  it('should deny a line when asked: the restoration of a forced visit, else the last line', () => {
    for (const seed of seeds.slice(0, 10)) {
      const forced = oralClaim(ctx(seed, '1984-05-06'), { coverage, date: '2024-05-06', firstOfYear: false, forced: true, deny: true });
      const denied = forced.lines.filter((l) => l.denialReason);
      expect(denied.map((l) => l.code.code)).toEqual(['D2391']);
      expect(denied[0]!.price.denial).toEqual({ group: denied[0]!.denialReason!.group });
      const plain = oralClaim(ctx(seed, '1984-05-06'), { coverage, date: '2024-05-06', firstOfYear: false, deny: true });
      const d = plain.lines.filter((l) => l.denialReason);
      expect(d).toHaveLength(1);
      expect(d[0]!.price.denial).toEqual({ group: d[0]!.denialReason!.group });
      if (!plain.lines.some((l) => ['D2391', 'D7140'].includes(l.code.code))) expect(plain.lines.at(-1)).toBe(d[0]);
      for (const l of oralClaim(ctx(seed, '1984-05-06'), { coverage, date: '2024-05-06', firstOfYear: false }).lines) expect(l.price.denial).toBeUndefined();
    }
  });
});

describe('oralClaim: ages, chances and denials', () => {
  const codes = (c: ReturnType<typeof oralClaim>) => c.lines.map((l) => l.code.code);
  const visit = { coverage, date: '2024-05-06', firstOfYear: false };

  it("should clean a 14-year-old's teeth as an adult's", () => {
    expect(codes(oralClaim(ctx('a', '2010-05-06'), visit)).slice(0, 2)).toEqual(['D0120', 'D1110']);
    expect(codes(oralClaim(ctx('a', '2010-05-07'), visit)).slice(0, 2)).toEqual(['D0120', 'D1120']);
  });

  it('should bill orthodontics, dentures and missing wisdom teeth on some unforced visits, not on all, every wisdom tooth in turn', () => {
    let ortho = 0;
    let denture = 0;
    let missing = 0;
    const wisdom = new Set<string>();
    const runs = 300;
    for (let i = 0; i < runs; i++) {
      if (codes(oralClaim(ctx(`o${i}`, '2011-01-01'), visit)).includes('D8080')) ortho++;
      if (codes(oralClaim(ctx(`o${i}`, '1950-01-01', { denture: true, periodontal: true } as Showcase), visit)).includes('D5110')) denture++;
      const adult = oralClaim(ctx(`o${i}`, '1980-01-01', { periodontal: true } as Showcase), visit);
      if (adult.oral!.missingTeeth.length) missing++;
      for (const t of adult.oral!.missingTeeth) wisdom.add(t);
    }
    for (const [n, rate] of [[ortho, 0.08], [denture, 0.08], [missing, 0.2]] as const) {
      expect(n).toBeGreaterThan(runs * rate * 0.4);
      expect(n).toBeLessThan(runs * rate * 2);
    }
    expect([...wisdom].sort()).toEqual(['1', '16', '17', '32']);
  });

  it('should deny with a dental denial reason, replacing the last line in place', () => {
    for (const seed of seeds) {
      const denied = oralClaim(ctx(seed, '1984-05-06', undefined, codeMaps, 1), { ...visit, deny: true });
      expect(denied.lines.length).toBeGreaterThan(0);
      for (const l of denied.lines) expect(l.denialReason!.claimTypes).toContain('oral');
      const asked = oralClaim(ctx(seed, '1984-05-06'), { ...visit, deny: true });
      const plain = oralClaim(ctx(seed, '1984-05-06'), visit);
      expect(Object.keys(asked.lines)).toHaveLength(asked.lines.length);
      expect(asked.lines.map((l) => l.code.code)).toEqual(plain.lines.map((l) => l.code.code));
      expect(asked.lines.filter((l) => l.denialReason).map((l) => l.denialReason!.claimTypes)).toEqual([expect.arrayContaining(['oral'])]);
    }
  });

  it('should scale whole-numbered teeth in each of the four quadrants over the visits', () => {
    const quadrants = new Set<number>();
    for (const seed of seeds) {
      const claim = oralClaim(ctx(seed, '1980-01-01', { periodontal: true } as Showcase), { ...visit, forced: true });
      const line = claim.lines.find((l) => l.code.code === 'D4342')!;
      for (const t of [line.tooth!, ...line.additionalTeeth!]) expect(t).toMatch(/^\d+$/);
      quadrants.add(Math.floor((Number(line.tooth) - 1) / 8));
    }
    expect([...quadrants].sort()).toEqual([0, 1, 2, 3]);
  });
});

describe('professionalClaim', () => {
  const visitUses = new Set(['office-visit', 'new-visit']);
  const rows = () => [...codeMaps.conditions.values()];
  const fact = (key: string, onset = '2024-01-01'): ConditionFact => ({ key, onset, icd10Index: 0 }) as ConditionFact;
  const use = (code: string) => [...codeMaps.procedures.values()].find((r) => r.code === code)?.use;
  function withPeople(seed: string, birthDate: string, conditions: ConditionFact[] = [], maps: CodeMaps = codeMaps) {
    const c = ctx(seed, birthDate, undefined, maps);
    const directory = {
      ...c.directory,
      organizations: [...c.directory.organizations, { id: 'pcp-group', kind: 'physician-group' }, { id: 'spec-group', kind: 'physician-group' }],
      practitioners: [{ id: 'pcp', role: 'primary-care', organizationId: 'pcp-group' }, { id: 'spec', role: 'specialist', organizationId: 'spec-group' }],
    } as unknown as Directory;
    return new MemberClaimsContext(new Rng(seed), undefined as never, c.profile, maps, directory, c.member, conditions, [coverage], new Map(), undefined);
  }

  it('should find the routine-exam diagnosis by age: Z00.129 to 17, Z00.00 from 18', () => {
    expect(examReason(codeMaps, 0)!.icd10cm).toBe('Z00.129');
    expect(examReason(codeMaps, 17)!.icd10cm).toBe('Z00.129');
    expect(examReason(codeMaps, 18)!.icd10cm).toBe('Z00.00');
    expect(examReason(codeMaps, 120)!.icd10cm).toBe('Z00.00');
    expect(examReason(codeMaps, 121)).toBeUndefined();
  });

  it("should bill an acute condition's visit by the primary-care doctor, an E/M code first, its tests after with modifier 25 on the visit", () => {
    const acute = rows().find((r) => !r.chronic)!;
    let withTests = 0;
    let tele = 0;
    for (const seed of seeds) {
      const c = fact(acute.key);
      const claim = professionalClaim(withPeople(seed, '1970-01-01', [c]), { coverage, date: '2024-01-10', condition: c });
      expect(claim).toMatchObject({ type: 'professional', coverageOrdinal: 3, serviceStart: '2024-01-10', serviceEnd: '2024-01-10', billingProviderId: 'pcp-group', facilityId: 'pcp-group', renderingPractitionerId: 'pcp', network: 'innetwork', procedures: [] });
      expect(claim.referringPractitionerId).toBeUndefined();
      expect(claim.diagnoses).toEqual([{ sequence: 1, icd10cm: acute.icd10cm[0]!.code, display: acute.icd10cm[0]!.display, role: 'principal', conditionKey: acute.key }]);
      const [first, ...rest] = claim.lines;
      expect(visitUses.has(use(first!.code.code)!)).toBe(true);
      expect(['11', '02']).toContain(first!.placeOfService);
      if (first!.placeOfService === '02') tele++;
      for (const l of rest) {
        expect(visitUses.has(use(l.code.code)!)).toBe(false);
        expect(l.placeOfService).toBe('11');
        expect(l.denialReason).toBeUndefined();
      }
      expect(new Set(claim.lines.map((l) => l.code.code)).size).toBe(claim.lines.length);
      if (rest.length) {
        withTests++;
        expect(first!.modifiers).toEqual([{ system: 'cpt', code: '25', display: expect.any(String) }]);
      } else {
        expect(first!.modifiers ?? []).toEqual([]);
      }
      for (const l of claim.lines) expect(l.diagnosisSequences).toEqual([1]);
      expect(first!.denialReason).toBeUndefined();
    }
    expect(withTests).toBeGreaterThan(0);
    expect(tele).toBeLessThan(seeds.length);
  });

  it("should send a chronic condition to a specialist on some visits, referred by the primary-care doctor, with up to 3 other active conditions", () => {
    const chronic = rows().filter((r) => r.chronic);
    const others = chronic.slice(1, 7).map((r) => fact(r.key, '2023-06-01'));
    const main = fact(chronic[0]!.key, '2023-01-01');
    const later = fact(chronic[7]!.key, '2024-06-01');
    let specialist = 0;
    let secondaries = 0;
    for (const seed of seeds) {
      const claim = professionalClaim(withPeople(seed, '1960-01-01', [main, ...others, later]), { coverage, date: '2024-02-02', condition: main, outOfNetwork: true });
      expect(claim.network).toBe('outofnetwork');
      if (claim.renderingPractitionerId === 'spec') {
        specialist++;
        expect(claim.billingProviderId).toBe('spec-group');
        expect(claim.referringPractitionerId).toBe('pcp');
      } else {
        expect(claim.billingProviderId).toBe('pcp-group');
        expect(claim.referringPractitionerId).toBeUndefined();
      }
      const d = claim.diagnoses;
      expect(d[0]).toMatchObject({ sequence: 1, role: 'principal', conditionKey: main.key });
      expect(d.length).toBeLessThanOrEqual(4);
      secondaries += d.length - 1;
      d.slice(1).forEach((x, i) => {
        expect(x.sequence).toBe(i + 2);
        expect(x.role).toBe('secondary');
        expect(others.map((o) => o.key)).toContain(x.conditionKey);
      });
      for (const l of claim.lines) expect(l.diagnosisSequences).toEqual(d.map((x) => x.sequence));
    }
    expect(specialist).toBeGreaterThan(0);
    expect(specialist).toBeLessThan(seeds.length);
    expect(secondaries).toBeGreaterThan(seeds.length);
  });

  it('should bill a routine exam with the preventive code of the age, the annual wellness visit under Medicare Advantage, and deny the visit line when asked', () => {
    for (const seed of seeds.slice(0, 10)) {
      const adult = professionalClaim(withPeople(seed, '1980-06-01'), { coverage, date: '2024-03-03', deny: true });
      expect(adult.diagnoses).toEqual([{ sequence: 1, icd10cm: 'Z00.00', display: expect.any(String), role: 'principal' }]);
      expect(adult.lines[0]!.code.code).toBe('99396');
      expect(adult.lines[0]!.denialReason).toBeDefined();
      expect(adult.lines[0]!.price.denial).toEqual({ group: adult.lines[0]!.denialReason!.group });
      expect(adult.lines[0]!.denialReason!.claimTypes).toContain('professional');
      expect(adult.renderingPractitionerId === 'pcp' || adult.renderingPractitionerId === 'spec').toBe(true);
      const child = professionalClaim(withPeople(seed, '2020-06-01'), { coverage, date: '2024-03-03' });
      expect(child.diagnoses[0]!.icd10cm).toBe('Z00.129');
      expect(child.lines[0]!.code.code).toBe('99392');
      expect(child.lines[0]!.denialReason).toBeUndefined();
      const ma = professionalClaim(withPeople(seed, '1950-06-01'), { coverage: { ...coverage, planType: 'medicare-advantage' }, date: '2024-03-03' });
      expect(['G0438', 'G0439']).toContain(ma.lines[0]!.code.code);
      const commercialOld = professionalClaim(withPeople(seed, '1950-06-01'), { coverage, date: '2024-03-03' });
      expect(commercialOld.lines[0]!.code.code).toBe('99397');
    }
    expect(() => professionalClaim(withPeople('x', '1890-01-01'), { coverage, date: '2024-03-03' })).toThrow('code-maps/visit-reasons.json has no exam reason for age 134');
  });

  it('should fall back to an office-visit code when no preventive code fits, and refuse code maps with none', () => {
    const noPreventive = { ...codeMaps, procedures: new Map([...codeMaps.procedures].filter(([, r]) => r.use !== 'preventive')) } as CodeMaps;
    const claim = professionalClaim(withPeople('s', '1980-06-01', [], noPreventive), { coverage, date: '2024-03-03' });
    expect(use(claim.lines[0]!.code.code)).toBe('office-visit');
    const none = { ...codeMaps, procedures: new Map([...codeMaps.procedures].filter(([, r]) => r.use !== 'preventive' && r.use !== 'office-visit')) } as CodeMaps;
    expect(() => professionalClaim(withPeople('s', '1980-06-01', [], none), { coverage, date: '2024-03-03' })).toThrow('code-maps/professional-procedures.json has no office-visit code');
  });

  it("should bill the condition's own tests and, now and then, an office lab or a J-code injection after the visit line, each code once", () => {
    const extras = new Set([...codeMaps.procedures.values()].filter((r) => r.use === 'lab' || (r.use === 'injection' && r.code.startsWith('J'))).map((r) => r.code));
    const ownOf = (r: { procedures: readonly string[] }) => new Set(r.procedures.map((k) => codeMaps.procedures.get(k)).filter((p) => p && !visitUses.has(p.use) && !extras.has(p.code)).map((p) => p!.code));
    const main = rows().find((r) => r.chronic && ownOf(r).size > 0)!;
    const own = ownOf(main);
    const listed = new Set(main.procedures.map((k) => codeMaps.procedures.get(k)?.code));
    let ownSeen = 0;
    let extraSeen = 0;
    for (let i = 0; i < 150; i++) {
      const c = fact(main.key, '2023-01-01');
      const claim = professionalClaim(withPeople(`t${i}`, '1960-01-01', [c]), { coverage, date: '2024-02-02', condition: c });
      for (const l of claim.lines.slice(1)) {
        if (own.has(l.code.code)) ownSeen++;
        else {
          expect(extras.has(l.code.code)).toBe(true);
          if (!listed.has(l.code.code)) extraSeen++;
        }
      }
      expect(new Set(claim.lines.map((l) => l.code.code)).size).toBe(claim.lines.length);
    }
    expect(ownSeen).toBeGreaterThan(0);
    expect(extraSeen).toBeGreaterThan(0);
  });

  it('should bill as extras only office labs and J-code injections, on about one claim in five (Poisson mean 0.2)', () => {
    // One lab row and the injection rows (J-code drugs; administration codes such as G0008 are not extras).
    const lab = [...codeMaps.procedures.values()].find((r) => r.use === 'lab')!;
    const procedures = new Map([...codeMaps.procedures].filter(([, r]) => r.use !== 'lab' || r === lab));
    const maps = { ...codeMaps, procedures } as CodeMaps;
    const seen = new Map<string, number>();
    let withExtras = 0;
    const claims = 300;
    for (let i = 0; i < claims; i++) {
      const claim = professionalClaim(withPeople(`e${i}`, '1980-06-01', [], maps), { coverage, date: '2024-03-03' });
      const extras = claim.lines.slice(1).map((l) => l.code.code);
      if (extras.length) withExtras++;
      for (const code of extras) seen.set(code, (seen.get(code) ?? 0) + 1);
    }
    const injections = [...procedures.values()].filter((r) => r.use === 'injection');
    expect(injections.some((r) => !r.code.startsWith('J'))).toBe(true);
    const jCodes = new Set(injections.filter((r) => r.code.startsWith('J')).map((r) => r.code));
    expect(seen.get(lab.code)).toBeGreaterThan(0);
    expect([...seen.keys()].filter((c) => jCodes.has(c)).length).toBeGreaterThan(1);
    expect([...seen.keys()].filter((c) => c !== lab.code && !jCodes.has(c))).toEqual([]);
    expect(withExtras).toBeGreaterThan(claims * 0.1);
    expect(withExtras).toBeLessThan(claims * 0.3);
  });

  it("should bill a condition's own tests but never a visit code or a key the code maps lack, each line denied for physician claims only", () => {
    const visitKeys = [...codeMaps.procedures].filter(([, r]) => visitUses.has(r.use)).map(([k]) => k);
    expect(new Set(visitKeys.map((k) => codeMaps.procedures.get(k)!.use))).toEqual(visitUses);
    const main = rows().find((r) => r.chronic && r.procedures.some((k) => !visitUses.has(codeMaps.procedures.get(k)?.use ?? '')))!;
    const conditions = new Map([...codeMaps.conditions].map(([k, r]) => [k, k === main.key ? { ...r, procedures: [...visitKeys, 'no-such-procedure', ...r.procedures] } : r]));
    const maps = { ...codeMaps, conditions } as CodeMaps;
    let tests = 0;
    let denied = 0;
    for (const seed of seeds) {
      const c = fact(main.key, '2023-01-01');
      const context = withPeople(seed, '1960-01-01', [c], maps);
      (context.profile.claims as { denialRate: number }).denialRate = 1;
      const claim = professionalClaim(context, { coverage, date: '2024-02-02', condition: c });
      for (const l of claim.lines.slice(1)) {
        expect(visitUses.has(use(l.code.code)!)).toBe(false);
        tests++;
      }
      for (const l of claim.lines) {
        expect(l.denialReason!.claimTypes).toContain('professional');
        denied++;
      }
    }
    expect(tests).toBeGreaterThan(seeds.length / 2);
    expect(denied).toBeGreaterThan(seeds.length * 1.5);
  });

  it("should bill an emergency physician's visit with an ED level at place of service 23, on every line", () => {
    const acute = rows().find((r) => !r.chronic)!;
    for (const seed of seeds.slice(0, 15)) {
      const c = fact(acute.key);
      const claim = professionalClaim(withPeople(seed, '1970-01-01', [c]), { coverage, date: '2024-01-10', condition: c, emergency: true });
      expect(use(claim.lines[0]!.code.code)).toBe('ed-visit');
      for (const l of claim.lines) expect(l.placeOfService).toBe('23');
    }
  });
});
