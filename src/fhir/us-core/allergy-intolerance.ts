import type { AllergyIntolerance } from '@medplum/fhirtypes';
import type { AllergyFact } from '../../story/clinical/medications.js';
import type { MemberStory } from '../../story/types.js';
import { ids, meta, ref, usCoreProfile, type BuildContext } from '../context.js';
import { SYSTEMS } from '../systems.js';

/** An allergy (or a "no known allergy" statement) as a US Core AllergyIntolerance. */
export function buildUsCoreAllergyIntolerance(story: MemberStory, fact: AllergyFact, ctx: BuildContext): AllergyIntolerance {
  const maps = ctx.codeMaps.clinical.medications;
  const row = maps.allergies.find((a) => a.key === fact.key);
  if (!row) throw new Error(`unknown allergy '${fact.key}'`);
  const reactions = fact.reactions.map((k) => maps.manifestations.get(k)!).filter(Boolean);
  const worst = reactions.some((r) => r.severity === 'severe') ? 'severe' : reactions.some((r) => r.severity === 'moderate') ? 'moderate' : 'mild';
  return {
    resourceType: 'AllergyIntolerance',
    id: ids.member(story, `allergy${fact.ordinal}`),
    meta: meta(ctx, [usCoreProfile(ctx, 'us-core-allergyintolerance')]),
    clinicalStatus: { coding: [{ system: SYSTEMS.allergyClinical, code: 'active', display: 'Active' }] },
    verificationStatus: {
      coding: [{ system: SYSTEMS.allergyVerification, code: fact.verification, display: fact.verification === 'confirmed' ? 'Confirmed' : 'Unconfirmed' }],
    },
    ...(row.type ? { type: row.type } : {}),
    ...(row.category ? { category: [row.category] } : {}),
    ...(row.criticality ? { criticality: row.criticality } : {}),
    code: { coding: [{ system: SYSTEMS[row.system], code: row.code, display: row.display }], text: row.display },
    patient: ref('Patient', ids.patient(story)),
    ...(fact.onset ? { onsetDateTime: fact.onset } : {}),
    recordedDate: fact.recordedDate,
    ...(fact.recorderId ? { recorder: ref('Practitioner', fact.recorderId) } : {}),
    ...(reactions.length
      ? {
          reaction: [{
            manifestation: reactions.map((r) => ({ coding: [{ system: SYSTEMS.snomed, code: r.code, display: r.display }], text: r.display })),
            severity: worst,
          }],
        }
      : {}),
  };
}
