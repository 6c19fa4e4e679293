import type { Binary, DocumentReference } from '@medplum/fhirtypes';
import type { NoteFact } from '../../story/clinical/planning.js';
import type { MemberStory } from '../../story/types.js';
import { ids, ref, type BuildContext } from '../context.js';
import { binaryUrl, buildDocumentBinary, clinicalDocument } from './clinical-documents.js';

export const noteId = (story: MemberStory, note: NoteFact) => ids.member(story, `note${note.ordinal}`);
const noteBinaryId = (story: MemberStory, note: NoteFact) => `${noteId(story, note)}-bin`;

/** US Core DocumentReference: the clinical note of a visit or operation, plain text inline (and, for some, at its Binary's URL). */
export function buildUsCoreDocumentReference(story: MemberStory, note: NoteFact, ctx: BuildContext): DocumentReference {
  const type = ctx.codeMaps.clinical.planning.noteTypes.get(note.kind)!;
  return clinicalDocument(story, {
    id: noteId(story, note),
    type,
    date: note.date,
    author: note.authorId ? ref('Practitioner', note.authorId) : ref('Organization', note.organizationId),
    custodianId: note.organizationId,
    encounterOrdinal: note.encounterOrdinal,
    period: { start: note.periodStart, end: note.periodEnd },
    text: note.text,
    ...(note.withUrl ? { url: binaryUrl(noteBinaryId(story, note)) } : {}),
  }, ctx);
}

/** The Binary a note's URL points at (undefined for a note kept inline only). */
export function buildNoteBinary(story: MemberStory, note: NoteFact, ctx: BuildContext): Binary | undefined {
  return note.withUrl ? buildDocumentBinary(noteBinaryId(story, note), note.text, ctx) : undefined;
}
