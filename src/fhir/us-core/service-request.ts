import type { ServiceRequest } from '@medplum/fhirtypes';
import type { LabOrderFact } from '../../story/clinical/labs-vitals.js';
import type { MemberStory } from '../../story/types.js';
import { ids, meta, ref, usCoreProfile, type BuildContext } from '../context.js';
import { SYSTEMS } from '../systems.js';
import { billedCode, encounterRef, LAB_ORDER_IDS, panelRow, reasonRefs } from './labs-common.js';

/** The lab order behind a billed test (US Core 6.1.0 only: 3.1.1 has no ServiceRequest profile). */
export function buildUsCoreServiceRequest(story: MemberStory, order: LabOrderFact, ctx: BuildContext): ServiceRequest {
  const panel = panelRow(ctx, order);
  const category = ctx.codeMaps.clinical.labsVitals.orderCategory;
  const reasons = reasonRefs(story, order);
  const reasonCode = order.reasonConditions.flatMap((i) => {
    const row = story.conditions[i] ? ctx.codeMaps.conditions.get(story.conditions[i]!.key) : undefined;
    return row ? [{ coding: [{ system: SYSTEMS.snomed, code: row.snomed.code, display: row.snomed.display }], text: row.display }] : [];
  });
  // An order placed during a multi-day stay is a standing order for the stay (e.g. a daily panel): a period.
  const visit = order.encounterOrdinal !== undefined ? story.clinical.encounters.find((e) => e.ordinal === order.encounterOrdinal) : undefined;
  const stay = visit?.kind === 'inpatient' && visit.end > order.date && !visit.inProgress ? visit : undefined;
  return {
    resourceType: 'ServiceRequest',
    id: LAB_ORDER_IDS.serviceRequest(story, order),
    meta: meta(ctx, [usCoreProfile(ctx, 'us-core-servicerequest')]),
    status: 'completed',
    intent: 'order',
    category: [{ coding: [{ system: SYSTEMS.snomed, code: category.code, display: category.display }], text: category.display }],
    code: {
      coding: [{ system: SYSTEMS.loinc, code: panel.panel.code, display: panel.panel.display }, billedCode(ctx, order)],
      text: panel.panel.display,
    },
    subject: ref('Patient', ids.patient(story)),
    ...encounterRef(story, order),
    ...(stay ? { occurrencePeriod: { start: order.date, end: stay.end } } : { occurrenceDateTime: order.date }),
    authoredOn: order.date,
    ...(order.practitionerId ? { requester: ref('Practitioner', order.practitionerId) } : {}),
    performer: [ref('Organization', order.organizationId)],
    ...(reasonCode.length ? { reasonCode } : {}),
    ...(reasons.length ? { reasonReference: reasons } : {}),
    // No ServiceRequest.specimen: the Specimen points at its request, and a reference both ways would be
    // a cycle that no referential-integrity server lets anyone delete (fhirseed purge included).
  };
}
