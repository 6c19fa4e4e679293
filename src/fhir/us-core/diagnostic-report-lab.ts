import type { DiagnosticReport } from '@medplum/fhirtypes';
import type { LabOrderFact } from '../../story/clinical/labs-vitals.js';
import type { MemberStory } from '../../story/types.js';
import { ids, meta, ref, usCoreProfile, type BuildContext } from '../context.js';
import { encounterRef, issuedOn, LAB_ORDER_IDS, loinc, panelRow } from './labs-common.js';

const LAB = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'LAB', display: 'Laboratory' }], text: 'Laboratory' };

/** The report of a lab order: the panel code, its results, by the performing organization. */
export function buildUsCoreDiagnosticReportLab(story: MemberStory, order: LabOrderFact, ctx: BuildContext): DiagnosticReport {
  const panel = panelRow(ctx, order);
  const v6 = ctx.usCoreVersion === '6.1.0';
  return {
    resourceType: 'DiagnosticReport',
    id: LAB_ORDER_IDS.report(story, order),
    meta: meta(ctx, [usCoreProfile(ctx, 'us-core-diagnosticreport-lab')]),
    ...(v6 ? { basedOn: [ref('ServiceRequest', LAB_ORDER_IDS.serviceRequest(story, order))] } : {}),
    status: 'final',
    category: [LAB],
    code: loinc(panel.panel),
    subject: ref('Patient', ids.patient(story)),
    ...encounterRef(story, order),
    effectiveDateTime: order.date,
    issued: issuedOn(order),
    performer: [ref('Organization', order.organizationId)],
    ...(order.practitionerId ? { resultsInterpreter: [ref('Practitioner', order.practitionerId)] } : {}),
    ...(v6 ? { specimen: [ref('Specimen', LAB_ORDER_IDS.specimen(story, order))] } : {}),
    result: order.results.map((r) => ref('Observation', LAB_ORDER_IDS.result(story, order, r.analyte))),
  };
}
