import type { Specimen } from '@medplum/fhirtypes';
import type { LabOrderFact } from '../../story/clinical/labs-vitals.js';
import type { MemberStory } from '../../story/types.js';
import { ids, meta, ref, usCoreProfile, type BuildContext } from '../context.js';
import { SYSTEMS } from '../systems.js';
import { LAB_ORDER_IDS, panelRow } from './labs-common.js';

/** The specimen a lab order was run on, collected on the service date (US Core 6.1.0 only). */
export function buildUsCoreSpecimen(story: MemberStory, order: LabOrderFact, ctx: BuildContext): Specimen {
  const { specimen } = panelRow(ctx, order);
  return {
    resourceType: 'Specimen',
    id: LAB_ORDER_IDS.specimen(story, order),
    meta: meta(ctx, [usCoreProfile(ctx, 'us-core-specimen')]),
    status: 'available',
    type: { coding: [{ system: SYSTEMS.snomed, code: specimen.code, display: specimen.display }], text: specimen.display },
    subject: ref('Patient', ids.patient(story)),
    request: [ref('ServiceRequest', LAB_ORDER_IDS.serviceRequest(story, order))],
    collection: {
      collectedDateTime: order.date,
      ...(order.practitionerId ? { collector: ref('Practitioner', order.practitionerId) } : {}),
    },
  };
}
