import type { Attachment, Meta as FhirMeta } from '@medplum/fhirtypes';
import { stableHash } from '../../util/rng.js';
import type { PersonName } from '../../story/types.js';
import { meta, type BuildContext } from '../context.js';

/** A day as a FHIR instant: clinical events in the story carry a date; noon UTC keeps the day in every US zone. */
export function instant(day: string, hour = 12): string {
  return `${day}T${String(hour).padStart(2, '0')}:00:00Z`;
}

export function textAttachment(text: string, title: string, url?: string): Attachment {
  return {
    contentType: 'text/plain',
    data: Buffer.from(text, 'utf8').toString('base64'),
    ...(url ? { url } : {}),
    title,
  };
}

export function personName(name: PersonName): string {
  return [name.prefix, ...name.given, name.family, name.suffix].filter(Boolean).join(' ');
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A document's stable urn:uuid (the same every run), from its resource id and the run. */
export function documentUuid(seed: string): string {
  const h = stableHash(seed, 32);
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
