import type { Binary, DocumentReference, Organization, Practitioner, Reference } from '@medplum/fhirtypes';
import type { MemberStory } from '../../story/types.js';
import { baseProfile, ids, meta, ref, usCoreProfile, type BuildContext } from '../context.js';
import { SYSTEMS } from '../systems.js';
import { documentUuid, instant, textAttachment } from './planning-common.js';

/**
 * A document's content as the server keeps it: a Binary, which attachments point at by the relative
 * URL `Binary/<id>` (FHIR R4 Attachment.url: a relative reference is read as a resource reference), so
 * that the sandbox serves every attachment URL it hands out.
 */
export function buildDocumentBinary(id: string, text: string, ctx: BuildContext): Binary {
  return { resourceType: 'Binary', id, meta: meta(ctx, [baseProfile('Binary')]), contentType: 'text/plain', data: Buffer.from(text, 'utf8').toString('base64') };
}

export const binaryUrl = (id: string) => `Binary/${id}`;

/** What a clinical document says about itself; the content is plain text, inline and at `url`. */
export interface ClinicalDocumentSpec {
  id: string;
  /** LOINC clinical note type. */
  type: { code: string; display: string };
  /** Day the document was signed (signed at 17:00 UTC). */
  date: string;
  author: Reference<Practitioner | Organization>;
  custodianId: string;
  encounterOrdinal?: number;
  period: { start: string; end: string };
  text: string;
  url?: string;
  /** What the document reports (a DiagnosticReport), as context.related. */
  related?: Reference[];
}

/** US Core DocumentReference of a clinical note (category clinical-note), the text inline and, when given, at its URL. */
export function clinicalDocument(story: MemberStory, d: ClinicalDocumentSpec, ctx: BuildContext): DocumentReference {
  const format = ctx.codeMaps.clinical.planning.noteFormat;
  return {
    resourceType: 'DocumentReference',
    id: d.id,
    meta: meta(ctx, [usCoreProfile(ctx, 'us-core-documentreference')]),
    identifier: [{ system: SYSTEMS.documentIdentifier, value: documentUuid(`${ctx.runId}/${d.id}`) }],
    status: 'current',
    docStatus: 'final',
    type: { coding: [{ system: SYSTEMS.loinc, code: d.type.code, display: d.type.display }], text: d.type.display },
    // The clinical-note category is the one US Core defines for notes.
    category: [{ coding: [{ system: SYSTEMS.usCoreDocumentReferenceCategory, code: 'clinical-note', display: 'Clinical Note' }] }],
    subject: ref('Patient', ids.patient(story)),
    date: instant(d.date, 17),
    author: [d.author],
    custodian: ref('Organization', d.custodianId),
    content: [{ attachment: textAttachment(d.text, d.type.display, d.url), format: { system: SYSTEMS.iheFormatCode, code: format.code, display: format.display } }],
    context: {
      ...(d.encounterOrdinal !== undefined ? { encounter: [ref('Encounter', ids.encounter(story, d.encounterOrdinal))] } : {}),
      period: d.period,
      ...(d.related?.length ? { related: d.related } : {}),
    },
  };
}

/** A report published as a document shares one attachment: the DiagnosticReport's presentedForm and the DocumentReference's content. */
export function publishedIds(reportId: string) {
  return { documentId: `${reportId}-doc`, binaryId: `${reportId}-bin` };
}
