import type { Immunization } from '@medplum/fhirtypes';
import type { ImmunizationFact } from '../../story/clinical/medications.js';
import type { MemberStory } from '../../story/types.js';
import { ids, meta, ref, usCoreProfile, type BuildContext } from '../context.js';
import { SYSTEMS } from '../systems.js';
import { locationRef } from './care-common.js';
import { coding } from './medication-request.js';

const DATA_ABSENT_REASON_EXT = 'http://hl7.org/fhir/StructureDefinition/data-absent-reason';

/** A vaccination (or one not done, with its reason) as a US Core Immunization. */
export function buildUsCoreImmunization(story: MemberStory, fact: ImmunizationFact, ctx: BuildContext): Immunization {
  const maps = ctx.codeMaps.clinical.medications;
  const vaccine = maps.vaccines.get(fact.vaccineKey);
  if (!vaccine) throw new Error(`unknown vaccine '${fact.vaccineKey}'`);
  const reason = fact.notDoneReason ? maps.notDoneReasons.find((r) => r.key === fact.notDoneReason) : undefined;
  const location = locationRef(ctx, fact.organizationId);
  const performer = fact.practitionerId ? ref('Practitioner', fact.practitionerId) : ref('Organization', fact.organizationId);
  return {
    resourceType: 'Immunization',
    id: ids.member(story, `imm${fact.ordinal}`),
    meta: meta(ctx, [usCoreProfile(ctx, 'us-core-immunization')]),
    status: reason ? 'not-done' : 'completed',
    ...(reason ? { statusReason: { coding: [coding(reason)], text: reason.display } } : {}),
    vaccineCode: {
      coding: [
        { system: SYSTEMS.cvx, code: vaccine.cvx.code, display: vaccine.cvx.display },
        ...(vaccine.ndc ? [{ system: SYSTEMS.ndc, code: vaccine.ndc.code, display: vaccine.ndc.display }] : []),
      ],
      text: vaccine.cvx.display,
    },
    patient: ref('Patient', ids.patient(story)),
    ...(fact.encounterOrdinal !== undefined ? { encounter: ref('Encounter', ids.encounter(story, fact.encounterOrdinal)) } : {}),
    occurrenceDateTime: fact.date,
    recorded: fact.date,
    primarySource: fact.primarySource,
    ...(location ? { location } : {}),
    ...(reason ? {} : {
      // A dose reported from elsewhere has no known lot: said with the data absent reason extension (US Core, Missing Data).
      ...(fact.lotNumber ? { lotNumber: fact.lotNumber } : { _lotNumber: { extension: [{ url: DATA_ABSENT_REASON_EXT, valueCode: 'unknown' }] } }),
      performer: [{ actor: performer }],
      protocolApplied: [{ doseNumberPositiveInt: fact.doseNumber }],
    }),
  };
}
