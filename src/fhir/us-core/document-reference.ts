import type { DocumentReference } from '@medplum/fhirtypes';
import type { NoteFact } from '../../story/clinical/planning.js';
import type { MemberStory } from '../../story/types.js';
import { ids, meta, ref, usCoreProfile, type BuildContext } from '../context.js';
import { SYSTEMS } from '../systems.js';
import { documentUuid, instant, textAttachment } from './planning-common.js';

export const noteId = (story: MemberStory, note: NoteFact) => ids.member(story, `note${note.ordinal}`);

/** US Core DocumentReference: the clinical note of a visit, plain text inline (and, for some, at the repository URL). */
export function buildUsCoreDocumentReference(story: MemberStory, note: NoteFact, ctx: BuildContext): DocumentReference {
  const id = noteId(story, note);
  const type = ctx.codeMaps.clinical.planning.noteTypes.get(note.kind)!;
  const format = ctx.codeMaps.clinical.planning.noteFormat;
  return {
    resourceType: 'DocumentReference',
    id,
    meta: meta(ctx, [usCoreProfile(ctx, 'us-core-documentreference')]),
    identifier: [{ system: SYSTEMS.documentIdentifier, value: documentUuid(`${ctx.runId}/${id}`) }],
    status: 'current',
    docStatus: 'final',
    type: { coding: [{ system: SYSTEMS.loinc, code: type.code, display: type.display }], text: type.display },
    // The clinical-note category is the one US Core defines for notes.
    category: [{ coding: [{ system: SYSTEMS.usCoreDocumentReferenceCategory, code: 'clinical-note', display: 'Clinical Note' }] }],
    subject: ref('Patient', ids.patient(story)),
    date: instant(note.date, 17),
    ...(note.authorId ? { author: [ref('Practitioner', note.authorId)] } : { author: [ref('Organization', note.organizationId)] }),
    custodian: ref('Organization', note.organizationId),
    content: [
      {
        attachment: textAttachment(note.text, type.display, note.withUrl ? `https://documents.fhirseed.example/notes/${id}.txt` : undefined),
        format: { system: SYSTEMS.iheFormatCode, code: format.code, display: format.display },
      },
    ],
    context: {
      encounter: [ref('Encounter', ids.encounter(story, note.encounterOrdinal))],
      period: { start: note.periodStart, end: note.periodEnd },
    },
  };
}
