import type { Binary, DiagnosticReport, DocumentReference } from '@medplum/fhirtypes';
import type { LabOrderFact, LabResultFact } from '../../story/clinical/labs-vitals.js';
import type { MemberStory } from '../../story/types.js';
import { ids, meta, ref, usCoreProfile, type BuildContext } from '../context.js';
import { binaryUrl, buildDocumentBinary, clinicalDocument, publishedIds } from './clinical-documents.js';
import { encounterRef, issuedOn, LAB_ORDER_IDS, loinc, panelRow } from './labs-common.js';
import { textAttachment } from './planning-common.js';
import { SYSTEMS } from '../systems.js';

const LAB = { coding: [{ system: SYSTEMS.v2DiagnosticService, code: 'LAB', display: 'Laboratory' }], text: 'Laboratory' };

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
    // An office test is performed by the practice and its clinician.
    performer: [ref('Organization', order.organizationId), ...(order.inOffice && order.practitionerId ? [ref('Practitioner', order.practitionerId)] : [])],
    ...(order.practitionerId ? { resultsInterpreter: [ref('Practitioner', order.practitionerId)] } : {}),
    ...(v6 ? { specimen: [ref('Specimen', LAB_ORDER_IDS.specimen(story, order))] } : {}),
    result: order.results.map((r) => ref('Observation', LAB_ORDER_IDS.result(story, order, r.analyte))),
    ...(order.published ? { presentedForm: [textAttachment(labReportText(story, order, ctx), panel.panel.display, binaryUrl(publishedIds(LAB_ORDER_IDS.report(story, order)).binaryId))] } : {}),
  };
}

/** The report as the laboratory prints it: one line per result with its unit and reference interval. */
function labReportText(story: MemberStory, order: LabOrderFact, ctx: BuildContext): string {
  const panel = panelRow(ctx, order);
  const line = (r: LabResultFact) => {
    const a = panel.analytes[r.analyte];
    if (a) return `${a.loinc.display}: ${r.value ?? 'not obtained'}${r.value !== undefined && a.unit.display ? ` ${a.unit.display}` : ''} (reference ${a.normal.low}-${a.normal.high})${r.interpretation && r.interpretation !== 'N' ? ` ${r.interpretation}` : ''}`;
    const q = panel.qualitative![r.analyte - panel.analytes.length]!;
    return `${q.loinc.display}: ${r.text ?? r.coded?.display}${r.interpretation === 'A' ? ' A' : ''}`;
  };
  return [
    `Laboratory report: ${panel.panel.display}`,
    `Patient: ${story.member.name.given.join(' ')} ${story.member.name.family}, born ${story.member.birthDate}`,
    `Collected: ${order.date}`,
    ...order.results.map(line),
  ].join('\n');
}

/** The latest lab report as a clinical note (DocumentReference type Laboratory report) and the Binary it shares with the report. */
export function buildLabReportDocument(story: MemberStory, order: LabOrderFact, ctx: BuildContext): [Binary, DocumentReference] | [] {
  if (!order.published) return [];
  const reportId = LAB_ORDER_IDS.report(story, order);
  const { documentId, binaryId } = publishedIds(reportId);
  const text = labReportText(story, order, ctx);
  return [
    buildDocumentBinary(binaryId, text, ctx),
    clinicalDocument(story, {
      id: documentId,
      type: ctx.codeMaps.clinical.planning.noteTypes.get('laboratory')!,
      date: order.date,
      author: ref('Organization', order.organizationId),
      custodianId: order.organizationId,
      ...(order.encounterOrdinal !== undefined ? { encounterOrdinal: order.encounterOrdinal } : {}),
      period: { start: order.date, end: order.date },
      text,
      url: binaryUrl(binaryId),
      related: [ref('DiagnosticReport', reportId)],
    }, ctx),
  ];
}
