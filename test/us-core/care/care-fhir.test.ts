import type { Condition, Encounter, Procedure, Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { buildCarinBbDirectoryResources, buildCarinBbMemberResources } from '../../../src/fhir/carin-bb/index.js';
import { ids } from '../../../src/fhir/context.js';
import { buildCareDirectoryResources, buildCareResources } from '../../../src/fhir/us-core/domain-care.js';
import { buildPlanningResources } from '../../../src/fhir/us-core/domain-planning.js';
import { layerUsCore } from '../../../src/fhir/us-core/layer.js';
import { coverage } from '../../../src/validate/coverage.js';
import { createValidator } from '../../../src/validate/validator.js';
import { codeMaps } from '../../helpers/output.js';
import { SHARED_PACKAGES } from '../../helpers/packages.js';
import { sharedValidator } from '../../helpers/validator.js';
import { buildContext, defaultStories, profile } from '../../helpers/population.js';

const stories = defaultStories();
const ctx = buildContext;
/** The CARIN BB resources with the US Core layers, and the care domain's own: everything the care resources reference. */
const build = (version: '6.1.0' | '3.1.1'): Resource[] => [
  ...buildCarinBbDirectoryResources(ctx(version)).map((r) => layerUsCore(r, undefined, ctx(version))),
  ...buildCareDirectoryResources(ctx(version)),
  ...stories.flatMap((s) => [
    ...buildCarinBbMemberResources(s, ctx(version)).map((r) => layerUsCore(r, s, ctx(version))),
    ...buildCareResources(s, ctx(version)),
    // Procedures carried out under the care plan reference it (basedOn).
    ...buildPlanningResources(s, ctx(version)).filter((r) => r.resourceType === 'CarePlan'),
  ]),
];
const resources = build('6.1.0');
const of = <T extends Resource>(type: T['resourceType']) => resources.filter((r): r is T => r.resourceType === type);
const MY_PROFILES = [
  'us-core-encounter', 'us-core-condition-problems-health-concerns', 'us-core-condition-encounter-diagnosis', 'us-core-procedure',
  'us-core-implantable-device', 'us-core-location', 'us-core-practitionerrole', 'us-core-coverage', 'us-core-organization',
  'us-core-practitioner', 'us-core-relatedperson',
];
// The Patient layer and the CarePlan belong to other domains; their issues are judged there.
const mine = (issue: { resourceType: string }) => issue.resourceType !== 'Patient' && issue.resourceType !== 'CarePlan';

describe('FHIR resources of the care domain', () => {
  it('one Encounter per visit, with the visit\'s dates, practitioner and organization, and ids others rely on', () => {
    const encounters = of<Encounter>('Encounter');
    expect(encounters.length).toBe(stories.reduce((n, s) => n + s.clinical.encounters.length, 0));
    for (const s of stories) {
      for (const e of s.clinical.encounters) {
        const r = encounters.find((x) => x.id === ids.encounter(s, e.ordinal))!;
        expect(r.period).toEqual({ start: e.start, end: e.end });
        expect(r.serviceProvider!.reference).toBe(`Organization/${e.organizationId}`);
        if (e.practitionerId) expect(r.participant![0]!.individual!.reference).toBe(`Practitioner/${e.practitionerId}`);
        expect(r.hospitalization !== undefined).toBe(e.kind === 'inpatient');
        const claim = s.claims.find((c) => c.ordinal === e.claimOrdinals[e.claimOrdinals.length - 1])!;
        expect(r.identifier?.[0]?.value).toBe(claim.institutional?.patientAccountNumber);
      }
    }
  });

  it('every encounter-diagnosis Condition carries a diagnosis code of its visit\'s claim and points at that visit', () => {
    for (const s of stories) {
      for (const c of of<Condition>('Condition').filter((x) => x.id!.startsWith(`${ids.patient(s)}-enc`))) {
        const ordinal = Number(/-enc(\d+)-dx/.exec(c.id!)![1]);
        expect(c.encounter!.reference).toBe(`Encounter/${ids.encounter(s, ordinal)}`);
        const icd = c.code!.coding!.find((x) => x.system === 'http://hl7.org/fhir/sid/icd-10-cm')!.code;
        const claims = s.clinical.encounters[ordinal - 1]!.claimOrdinals.map((o) => s.claims.find((x) => x.ordinal === o)!);
        expect(claims.some((cl) => cl.diagnoses.some((d) => d.icd10cm === icd))).toBe(true);
        expect(c.category![0]!.coding![0]!.code).toBe('encounter-diagnosis');
      }
    }
  });

  it('problem Conditions: ids.problem per story condition, problem-list-item always, health-concern by the code map', () => {
    for (const s of stories) {
      s.conditions.forEach((cond, i) => {
        const c = of<Condition>('Condition').find((x) => x.id === ids.problem(s, i))!;
        const cats = c.category!.map((x) => x.coding![0]!.code);
        expect(cats[0]).toBe('problem-list-item');
        expect(cats.includes('health-concern')).toBe(codeMaps.clinical.care.conditionCategories.get(cond.key)?.healthConcern ?? false);
        expect(c.onsetDateTime).toBe(cond.onset);
      });
    }
    const all = of<Condition>('Condition').flatMap((c) => c.category!.map((x) => x.coding![0]!.code));
    // The assessment categories are those the code map gives the population's conditions (which ones it has depends on the draws).
    const assessed = stories.flatMap((s) => s.conditions.map((c) => codeMaps.clinical.care.conditionCategories.get(c.key)?.assessmentCategory?.code)).filter((c): c is string => !!c);
    expect(assessed.length).toBeGreaterThan(0);
    expect(new Set(all)).toEqual(new Set(['problem-list-item', 'health-concern', 'encounter-diagnosis', ...assessed]));
  });

  it('procedures show both performedDateTime and performedPeriod, and the knee replacement references its implant', () => {
    const procedures = of<Procedure>('Procedure');
    expect(procedures.some((p) => p.performedDateTime)).toBe(true);
    expect(procedures.some((p) => p.performedPeriod)).toBe(true);
    const knee = procedures.find((p) => p.focalDevice)!;
    const device = resources.find((r) => `Device/${r.id}` === knee.focalDevice![0]!.manipulated.reference)!;
    expect(device.resourceType).toBe('Device');
  });

  it('validates against US Core 6.1.0 and CARIN BB 2.0.0 with no errors (layers keep their CARIN BB profiles)', async () => {
    const validator = await sharedValidator();
    const errors = validator.validate(resources).filter((i) => i.severity === 'error' && mine(i));
    expect(errors.slice(0, 5)).toEqual([]);
    for (const type of ['Coverage', 'Organization', 'Practitioner', 'RelatedPerson']) {
      for (const r of resources.filter((x) => x.resourceType === type)) {
        expect(r.meta!.profile!.some((p) => p.includes('carin-bb'))).toBe(true);
        expect(r.meta!.profile!.some((p) => p.includes('/us/core/'))).toBe(true);
      }
    }
  }, 60_000);

  it('fills every must-support element of the care profiles', async () => {
    const validator = await sharedValidator();
    const usCore = validator.packages.find((p) => p.name === 'hl7.fhir.us.core')!;
    const byName = new Map(coverage(resources, usCore, validator).profiles.map((p) => [p.profile.split('/').pop(), p]));
    for (const id of MY_PROFILES) expect([id, byName.get(id)?.resources! > 0, byName.get(id)?.missing]).toEqual([id, true, []]);
  }, 60_000);

  it('validates against US Core 3.1.1 with no errors, claiming only 3.1.1 profiles that exist there', async () => {
    const old = build('3.1.1');
    const usCore = old.flatMap((r) => r.meta?.profile ?? []).filter((p) => p.includes('/us/core/'));
    expect(usCore.every((p) => p.endsWith('|3.1.1'))).toBe(true);
    expect(usCore.some((p) => p.includes('us-core-coverage') || p.includes('us-core-relatedperson'))).toBe(false);
    expect(new Set(old.filter((r) => r.resourceType === 'Condition').flatMap((r) => r.meta!.profile!))).toEqual(
      new Set(['http://hl7.org/fhir/us/core/StructureDefinition/us-core-condition|3.1.1']),
    );
    const validator = await createValidator({ packagesDir: SHARED_PACKAGES, igs: ['us-core@3.1.1', 'carin-bb@2.0.0'] });
    const errors = validator.validate(old).filter((i) => i.severity === 'error' && mine(i));
    expect(errors.slice(0, 5)).toEqual([]);
  }, 90_000);
});
