import type { Address, ContactPoint, Extension, HumanName, Patient } from '@medplum/fhirtypes';
import type { PatientSocialFacts } from '../../story/clinical/social.js';
import type { MemberStory } from '../../story/types.js';
import { addDays } from '../../util/dates.js';
import { usCoreProfile, type BuildContext } from '../context.js';
import { fhirAddress } from '../carin-bb/common.js';
import { factCoding, factConcept } from './social-common.js';

const US_CORE_EXT = 'http://hl7.org/fhir/us/core/StructureDefinition';

/** Extensions US Core 6.1.0 defines beyond 3.1.1 (race, ethnicity and birth sex come from CARIN BB). */
function extensions61(f: PatientSocialFacts): Extension[] {
  const ext: Extension[] = [
    { url: `${US_CORE_EXT}/us-core-sex`, valueCode: f.sex.code },
    { url: `${US_CORE_EXT}/us-core-genderIdentity`, valueCodeableConcept: factConcept(f.genderIdentity) },
  ];
  if (f.tribalAffiliation) {
    ext.push({
      url: `${US_CORE_EXT}/us-core-tribal-affiliation`,
      extension: [
        { url: 'tribalAffiliation', valueCodeableConcept: { coding: [factCoding(f.tribalAffiliation.code)], text: f.tribalAffiliation.code.display } },
        { url: 'isEnrolled', valueBoolean: f.tribalAffiliation.enrolled },
      ],
    });
  }
  return ext;
}

function names(current: HumanName[] | undefined, f: PatientSocialFacts): HumanName[] | undefined {
  if (!current?.[0] || !f.previousName) return current;
  const [official, ...rest] = current;
  const since = addDays(f.previousName.end, 1);
  return [
    { ...official, period: { start: since } },
    { use: 'old', family: f.previousName.family, given: official.given, period: { end: f.previousName.end } },
    ...rest,
  ];
}

function telecoms(current: ContactPoint[] | undefined, f: PatientSocialFacts): ContactPoint[] | undefined {
  return current?.map((t) => (t.system === 'phone' ? { ...t, use: f.phoneUse } : t.use ? t : { ...t, use: 'home' }));
}

function addresses(current: Address[] | undefined, f: PatientSocialFacts): Address[] | undefined {
  const home = (current ?? []).map((a) => ({ use: 'home' as const, ...a }));
  if (!f.previousAddress) return home;
  return [...home, { ...fhirAddress(f.previousAddress.address), use: 'old', period: { end: f.previousAddress.end } }];
}

/**
 * Adds US Core Patient of the run's version to the CARIN BB Patient: the profile claim, name and
 * address history, contact uses and, in 6.1.0, sex, gender identity and tribal affiliation.
 */
export function layerUsCorePatient(resource: Patient, story: MemberStory, ctx: BuildContext): Patient {
  const f = story.clinical.social.patient;
  const profiles = [...(resource.meta?.profile ?? []), usCoreProfile(ctx, 'us-core-patient')];
  return {
    ...resource,
    meta: { ...resource.meta, profile: profiles },
    extension: [...(resource.extension ?? []), ...(ctx.usCoreVersion === '6.1.0' ? extensions61(f) : [])],
    name: names(resource.name, f),
    telecom: telecoms(resource.telecom, f),
    address: addresses(resource.address, f),
  };
}
