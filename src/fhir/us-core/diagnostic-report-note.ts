import type { Binary, DiagnosticReport, DocumentReference, Media, Observation } from '@medplum/fhirtypes';
import type { ReportFact } from '../../story/clinical/planning.js';
import type { MemberStory } from '../../story/types.js';
import { baseProfile, ids, meta, ref, usCoreProfile, type BuildContext } from '../context.js';
import { SYSTEMS } from '../systems.js';
import { binaryUrl, buildDocumentBinary, clinicalDocument, publishedIds } from './clinical-documents.js';
import { instant, textAttachment } from './planning-common.js';

const reportId = (story: MemberStory, r: ReportFact) => ids.member(story, `rpt${r.ordinal}`);
const impressionId = (story: MemberStory, r: ReportFact) => ids.member(story, `rpt${r.ordinal}-imp`);
const mediaId = (story: MemberStory, r: ReportFact) => ids.member(story, `rpt${r.ordinal}-img`);

/** Radiology studies carry an image (Media); every report carries its narrative impression (Observation). */
const hasImage = (ctx: BuildContext, r: ReportFact) => ctx.codeMaps.clinical.planning.reports.get(r.procedureKey)!.observationCategory === 'imaging';

/** US Core DiagnosticReport for report and note exchange: the reading of an imaging study or ECG billed on a claim line. */
export function buildUsCoreDiagnosticReportNote(story: MemberStory, r: ReportFact, ctx: BuildContext): DiagnosticReport {
  const row = ctx.codeMaps.clinical.planning.reports.get(r.procedureKey)!;
  const performer = r.performerId ? ref('Practitioner', r.performerId) : ref('Organization', r.organizationId);
  return {
    resourceType: 'DiagnosticReport',
    id: reportId(story, r),
    meta: meta(ctx, [usCoreProfile(ctx, 'us-core-diagnosticreport-note')]),
    status: 'final',
    category: [{ coding: [{ system: SYSTEMS.loinc, code: row.category.code, display: row.category.display }], text: row.category.display }],
    code: { coding: [{ system: SYSTEMS.loinc, code: row.code.code, display: row.code.display }], text: row.code.display },
    subject: ref('Patient', ids.patient(story)),
    encounter: ref('Encounter', ids.encounter(story, r.encounterOrdinal)),
    effectiveDateTime: instant(r.effective, 10),
    issued: instant(r.issued, 9),
    performer: [performer],
    ...(r.performerId ? { resultsInterpreter: [ref('Practitioner', r.performerId)] } : {}),
    result: [ref('Observation', impressionId(story, r))],
    ...(hasImage(ctx, r) ? { media: [{ link: ref('Media', mediaId(story, r)) }] } : {}),
    conclusion: r.impression,
    presentedForm: [textAttachment(r.text, row.code.display, row.document ? binaryUrl(publishedIds(reportId(story, r)).binaryId) : undefined)],
  };
}

/**
 * A report whose row names a document type (radiology) is also a clinical note: a DocumentReference and
 * the Binary both point at, with the report's text (US Core Clinical Notes: the same attachment in both).
 */
export function buildReportDocument(story: MemberStory, r: ReportFact, ctx: BuildContext): [Binary, DocumentReference] | [] {
  const row = ctx.codeMaps.clinical.planning.reports.get(r.procedureKey)!;
  if (!row.document) return [];
  const { documentId, binaryId } = publishedIds(reportId(story, r));
  return [
    buildDocumentBinary(binaryId, r.text, ctx),
    clinicalDocument(story, {
      id: documentId,
      type: row.document,
      date: r.issued,
      author: r.performerId ? ref('Practitioner', r.performerId) : ref('Organization', r.organizationId),
      custodianId: r.organizationId,
      encounterOrdinal: r.encounterOrdinal,
      period: { start: r.effective, end: r.effective },
      text: r.text,
      url: binaryUrl(binaryId),
      related: [ref('DiagnosticReport', reportId(story, r))],
    }, ctx),
  ];
}

/** The report's impression as a narrative Observation (base FHIR: the report's result). */
export function buildReportImpression(story: MemberStory, r: ReportFact, ctx: BuildContext): Observation {
  const row = ctx.codeMaps.clinical.planning.reports.get(r.procedureKey)!;
  return {
    resourceType: 'Observation',
    id: impressionId(story, r),
    // An imaging or ECG impression is a clinical result in US Core 6.1.0; 3.1.1 has no profile for it.
    meta: meta(ctx, [ctx.usCoreVersion === '6.1.0' ? usCoreProfile(ctx, 'us-core-observation-clinical-result') : baseProfile('Observation')]),
    status: 'final',
    category: [{ coding: [{ system: SYSTEMS.observationCategory, code: row.observationCategory }] }],
    code: { coding: [{ system: SYSTEMS.loinc, code: row.impression.code, display: row.impression.display }] },
    subject: ref('Patient', ids.patient(story)),
    encounter: ref('Encounter', ids.encounter(story, r.encounterOrdinal)),
    effectiveDateTime: instant(r.effective, 10),
    issued: instant(r.issued, 9),
    ...(r.performerId ? { performer: [ref('Practitioner', r.performerId)] } : {}),
    valueString: r.impression,
  };
}

/** The image of a radiology study (base FHIR Media, a link from the report). */
export function buildReportMedia(story: MemberStory, r: ReportFact, ctx: BuildContext): Media | undefined {
  if (!hasImage(ctx, r)) return undefined;
  return {
    resourceType: 'Media',
    id: mediaId(story, r),
    meta: meta(ctx, [baseProfile('Media')]),
    status: 'completed',
    type: { coding: [{ system: SYSTEMS.mediaType, code: 'image', display: 'Image' }] },
    subject: ref('Patient', ids.patient(story)),
    encounter: ref('Encounter', ids.encounter(story, r.encounterOrdinal)),
    createdDateTime: instant(r.effective, 10),
    issued: instant(r.effective, 10),
    content: { contentType: 'image/jpeg', url: `https://images.fhirseed.example/studies/${mediaId(story, r)}.jpg`, creation: instant(r.effective, 10) },
  };
}
