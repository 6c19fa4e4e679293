import type { Extension, Identifier, Patient } from '@medplum/fhirtypes';
import type { MemberStory } from '../../story/types.js';
import { carinBbProfile, ids, meta, type BuildContext } from '../context.js';
import { SYSTEMS } from '../systems.js';
import { coding, concept } from './codings.js';
import { fhirAddress, humanName, payerSystem, phone } from './common.js';

const US_CORE_EXT = 'http://hl7.org/fhir/us/core/StructureDefinition';

/**
 * The OMB categories (US Core omb-race-category and omb-ethnicity-category value sets). Any other CDC
 * race or ethnicity code, such as 2131-1 Other Race, goes in the `detailed` sub-extension instead.
 */
const OMB_CATEGORIES = new Set(['1002-5', '2028-9', '2054-5', '2076-8', '2106-3', '2135-2', '2186-5']);

function raceOrEthnicity(name: 'us-core-race' | 'us-core-ethnicity', value: { code: string; display: string }): Extension {
  return {
    url: `${US_CORE_EXT}/${name}`,
    extension: [
      { url: OMB_CATEGORIES.has(value.code) ? 'ombCategory' : 'detailed', valueCoding: coding('raceEthnicity', value.code, value.display) },
      { url: 'text', valueString: value.display },
    ],
  };
}

/** C4BB Patient 2.0.0 (on US Core Patient 3.1.1): member ids, demographics, race/ethnicity/birth sex. */
export function buildC4bbPatient(story: MemberStory, ctx: BuildContext): Patient {
  const m = story.member;
  const identifier: Identifier[] = [
    { type: concept('v2IdentifierType', 'MB'), system: payerSystem(ctx, 'member-id'), value: m.memberId },
    { type: concept('c4bbIdentifierType', 'um'), system: payerSystem(ctx, 'unique-member-id'), value: m.uniqueMemberId },
  ];
  if (m.mbi) identifier.push({ type: concept('v2IdentifierType', 'MC'), system: SYSTEMS.mbi, value: m.mbi });
  if (m.medicaidId) identifier.push({ type: concept('v2IdentifierType', 'MA'), system: payerSystem(ctx, 'medicaid-id'), value: m.medicaidId });
  const extension: Extension[] = [
    raceOrEthnicity('us-core-race', m.race),
    raceOrEthnicity('us-core-ethnicity', m.ethnicity),
    { url: `${US_CORE_EXT}/us-core-birthsex`, valueCode: m.sex === 'female' ? 'F' : 'M' },
  ];
  return {
    resourceType: 'Patient',
    id: ids.patient(story),
    meta: meta(ctx, [carinBbProfile('C4BB-Patient')]),
    extension,
    identifier,
    active: true,
    name: [humanName(m.name)],
    telecom: [phone(m.phone), { system: 'email', value: m.email }],
    gender: m.sex,
    birthDate: m.birthDate,
    ...(m.deceasedDate ? { deceasedDateTime: m.deceasedDate } : {}),
    address: [{ ...fhirAddress(m.address), ...(story.coverages[0] ? { period: { start: story.coverages[0].start } } : {}) }],
    communication: [{ language: concept('language', m.language.code, m.language.display), preferred: true }],
  };
}
