import fc from 'fast-check';
import type { ExplanationOfBenefit, Resource } from '@medplum/fhirtypes';
import { afterAll, describe, expect, it } from 'vitest';
import type { Profile } from '../../src/profile/types.js';
import { randomProfiles as profiles } from '../helpers/arbitraries.js';
import { SYSTEMS } from '../../src/fhir/systems.js';
import { isNdc11, isValidLoinc, isValidVerhoeff } from '../../src/util/check-digits.js';
import { amountsByCategory, codeMapCodes, codeMapVocabulary, codings, collect, supportingDate } from '../helpers/fhir-walk.js';
import { profileFixedCodes } from '../helpers/packages.js';
import { bundleResources, codeMaps, generateTo, shippedProfile, tempDir } from '../helpers/output.js';
import { propertySeed } from '../helpers/fast-check-seed.js';

const temps: (() => void)[] = [];
afterAll(() => temps.forEach((c) => c()));

const base = shippedProfile('default');
/**
 * The resources of each profile's output, as read back from its bundle files: each property below draws the same
 * profiles (SEED), so each is generated (bundles only: nothing here reads the NDJSON) and read once (the properties only read them).
 */
const generated = new Map<string, Resource[]>();
function population(profile: Profile): Resource[] {
  const key = JSON.stringify(profile);
  let resources = generated.get(key);
  if (!resources) {
    const t = tempDir();
    temps.push(t.cleanup);
    generateTo(t.dir, profile, { formats: ['bundles'] });
    generated.set(key, (resources = bundleResources(t.dir).flatMap((b) => b.resources)));
  }
  return resources;
}

/**
 * One seed for every property of this file (`FC_SEED` when set, else another each run, as fast-check's own default):
 * they check the same random profiles, so each population is generated once rather than once per property.
 */
const SEED = propertySeed();

/** The claims' EOBs (PDex prior authorizations, `use` preauthorization, are requests before any service: test/fhir/pdex). */
function eobs(resources: Resource[]): ExplanationOfBenefit[] {
  return resources.filter((r): r is ExplanationOfBenefit => r.resourceType === 'ExplanationOfBenefit' && r.use !== 'preauthorization');
}

describe('generated populations', () => {
  it('should keep adjudication arithmetic on every line and total of every EOB', () => {
    fc.assert(
      fc.property(profiles, (profile) => {
        for (const eob of eobs(population(profile))) {
          const totals = amountsByCategory(eob.total);
          const summed: Record<string, number> = {};
          for (const item of eob.item ?? []) {
            const a = amountsByCategory(item.adjudication);
            const v = (k: string) => a[k] ?? 0;
            expect(v('submitted')).toBeGreaterThanOrEqual(v('eligible'));
            expect(v('eligible')).toBe(v('benefit') + v('deductible') + v('copay') + v('coinsurance') + v('priorpayerpaid'));
            expect(v('memberliability')).toBe(v('deductible') + v('copay') + v('coinsurance') + v('noncovered'));
            const denied = (item.adjudication ?? []).some((x) => x.category.coding?.some((c) => c.code === 'adjustmentreason' || c.code === 'rejectreason'));
            if (denied) expect(v('benefit'), `${eob.id} item ${item.sequence}`).toBe(0);
            for (const [k, n] of Object.entries(a)) summed[k] = (summed[k] ?? 0) + n;
          }
          // Amounts sit on the lines, or (institutional claims priced at claim level) in the header, never both;
          // either way the totals equal them.
          const header = amountsByCategory(eob.adjudication);
          const atLines = Object.keys(summed).length > 0;
          expect(atLines !== Object.keys(header).length > 0, `${eob.id}: amounts at line or header level`).toBe(true);
          for (const [k, n] of Object.entries(totals)) {
            if (atLines && k in summed) expect(n, `${eob.id} total ${k}`).toBe(summed[k]);
            if (!atLines) expect(n, `${eob.id} header ${k}`).toBe(header[k]);
          }
          if (eob.payment?.amount) expect(Math.round((eob.payment.amount.value ?? 0) * 100)).toBe(totals.benefit ?? 0);
        }
      }),
      { numRuns: 12, seed: SEED },
    );
  });

  it('should order dates: service ≤ received ≤ created ≤ paid ≤ now', () => {
    fc.assert(
      fc.property(profiles, (profile) => {
        for (const eob of eobs(population(profile))) {
          const start = eob.billablePeriod!.start!;
          const end = eob.billablePeriod!.end ?? start;
          const received = supportingDate(eob, 'clmrecvddate') ?? end;
          const created = eob.created.slice(0, 10);
          const paid = eob.payment?.date ?? created;
          expect([start, end, received, created, paid, profile.period.end], eob.id).toEqual(
            [start, end, received, created, paid, profile.period.end].slice().sort(),
          );
          for (const item of eob.item ?? []) {
            if (item.servicedDate) expect(item.servicedDate >= start && item.servicedDate <= end, `${eob.id} item`).toBe(true);
          }
        }
      }),
      { numRuns: 12, seed: SEED },
    );
  });

  it('should resolve every reference inside the output', () => {
    fc.assert(
      fc.property(profiles, (profile) => {
        const resources = population(profile);
        const known = new Set(resources.map((r) => `${r.resourceType}/${r.id}`));
        for (const r of resources) {
          // EOB.related.reference is an Identifier (a claim number), not a Reference: only strings are resource links.
          for (const reference of collect<unknown>(r, 'reference').filter((x): x is string => typeof x === 'string')) {
            expect(known.has(reference), `${r.resourceType}/${r.id} → ${reference}`).toBe(true);
          }
        }
      }),
      { numRuns: 12, seed: SEED },
    );
  });

  it('should take every claim and clinical code from code-maps', () => {
    const { systems: claimSystems, codes } = codeMapCodes(codeMaps);
    const vocabulary = codeMapVocabulary();
    const fixedByProfiles = profileFixedCodes();
    const clinicalSystems = ['snomed', 'loinc', 'rxnorm', 'ndc', 'cvx', 'icd10cm', 'icd10pcs', 'cpt', 'hcpcs', 'cdt', 'nucc'] as const;
    const systems = new Set([...claimSystems, ...clinicalSystems.map((s) => SYSTEMS[s])]);
    fc.assert(
      fc.property(profiles, (profile) => {
        for (const r of population(profile)) {
          for (const c of codings(r)) {
            if (!c.system || !systems.has(c.system)) continue;
            // Claims tables are checked code by system; the clinical tables have shapes of their own, so any code-map row will do.
            const inMaps = codes.has(`${c.system}|${c.code}`) || vocabulary.has(c.code ?? '') || fixedByProfiles.has(c.code ?? '');
            expect(inMaps, `${r.id}: ${c.system}|${c.code}`).toBe(true);
          }
        }
      }),
      { numRuns: 12, seed: SEED },
    );
  });

  it('should use only LOINC, SNOMED CT and NDC codes whose check digits and formats hold', () => {
    fc.assert(
      fc.property(profiles, (profile) => {
        for (const r of population(profile)) {
          for (const c of codings(r)) {
            const at = `${r.resourceType}/${r.id}: ${c.system}|${c.code}`;
            if (c.system === SYSTEMS.loinc) expect(isValidLoinc(c.code ?? '') || /^L[APG]\d+-\d$/.test(c.code ?? ''), at).toBe(true);
            if (c.system === SYSTEMS.snomed) expect(isValidVerhoeff(c.code ?? ''), at).toBe(true);
            if (c.system === SYSTEMS.ndc) expect(isNdc11(c.code ?? ''), at).toBe(true);
            if (c.system === SYSTEMS.cvx) expect(c.code, at).toMatch(/^\d{1,3}$/);
          }
        }
      }),
      { numRuns: 8, seed: SEED },
    );
  });

  it('should carry meta.profile, the HTEST label and the run tag on every resource', () => {
    for (const r of population({ ...base, members: 5 })) {
      expect(r.meta?.profile?.length, r.id).toBeGreaterThan(0);
      expect(r.meta?.security).toContainEqual(expect.objectContaining({ code: 'HTEST' }));
      expect(r.meta?.tag).toContainEqual({ system: 'urn:fhirseed:run', code: `${base.name}-${base.seed}` });
    }
  });
});
