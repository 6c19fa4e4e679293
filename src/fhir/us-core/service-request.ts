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
    occurrenceDateTime: order.date,
    authoredOn: order.date,
    ...(order.practitionerId ? { requester: ref('Practitioner', order.practitionerId) } : {}),
    performer: [ref('Organization', order.organizationId)],
    ...(reasons.length ? { reasonReference: reasons } : {}),
    // No ServiceRequest.specimen: the Specimen points at its request, and a reference both ways would be
    // a cycle that no referential-integrity server lets anyone delete (fhirseed purge included).
  };
}
