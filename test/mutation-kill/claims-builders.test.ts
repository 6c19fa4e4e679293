import { describe, expect, it } from 'vitest';
import type { CodeMaps } from '../../src/codemaps/types.js';
import type { Profile } from '../../src/profile/types.js';
import { ambulanceClaim } from '../../src/story/claims/ambulance.js';
import { MemberClaimsContext } from '../../src/story/claims/context.js';
import { oralClaim } from '../../src/story/claims/oral.js';
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
