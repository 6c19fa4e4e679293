import type { Binary, DiagnosticReport, DocumentReference } from '@medplum/fhirtypes';
import type { PathologyFact } from '../../story/clinical/planning.js';
import type { MemberStory } from '../../story/types.js';
import { ids, meta, ref, usCoreProfile, type BuildContext } from '../context.js';
import { SYSTEMS } from '../systems.js';
import { binaryUrl, buildDocumentBinary, clinicalDocument, publishedIds } from './clinical-documents.js';
import { instant, textAttachment } from './planning-common.js';

const pathologyId = (story: MemberStory, p: PathologyFact) => ids.member(story, `path${p.ordinal}`);

/**
 * The surgical pathology report of an operation's specimen: a US Core DiagnosticReport (category Pathology,
 * LOINC part LP7839-6) by the hospital's laboratory, and the same text as a clinical note (DocumentReference
 * type Pathology study) through one Binary, in load order.
 */
export function buildPathologyResources(story: MemberStory, p: PathologyFact, ctx: BuildContext): [Binary, DiagnosticReport, DocumentReference] {
  const row = ctx.codeMaps.clinical.planning.pathology;
  const id = pathologyId(story, p);
  const { documentId, binaryId } = publishedIds(id);
  const url = binaryUrl(binaryId);
  const report: DiagnosticReport = {
    resourceType: 'DiagnosticReport',
    id,
    meta: meta(ctx, [usCoreProfile(ctx, 'us-core-diagnosticreport-note')]),
    status: 'final',
    category: [{ coding: [{ system: SYSTEMS.loinc, code: row.category.code, display: row.category.display }], text: row.category.display }],
    code: { coding: [{ system: SYSTEMS.loinc, code: row.code.code, display: row.code.display }], text: 'Surgical pathology report' },
    subject: ref('Patient', ids.patient(story)),
    encounter: ref('Encounter', ids.encounter(story, p.encounterOrdinal)),
    effectiveDateTime: instant(p.collected, 15),
    issued: instant(p.issued, 16),
    performer: [ref('Organization', p.organizationId)],
    conclusion: p.text.split('\n').find((l) => l.startsWith('Diagnosis: '))?.slice('Diagnosis: '.length),
    presentedForm: [textAttachment(p.text, 'Surgical pathology report', url)],
  };
  return [
    buildDocumentBinary(binaryId, p.text, ctx),
    report,
    clinicalDocument(story, {
      id: documentId,
      type: row.document,
      date: p.issued,
      author: ref('Organization', p.organizationId),
      custodianId: p.organizationId,
      encounterOrdinal: p.encounterOrdinal,
      period: { start: p.collected, end: p.issued },
      text: p.text,
      url,
      related: [ref('DiagnosticReport', id)],
    }, ctx),
  ];
}
