import type { Binary } from '@medplum/fhirtypes';
import type { MemoryRepository } from '@medplum/fhir-router';

/**
 * `GET Binary/{id}` asking for something other than FHIR JSON (FHIR R4 Binary, "serving binary content"):
 * the content itself, with the Binary's contentType, when the Accept header takes that type (or any
 * type); a client asking for FHIR JSON gets the Binary resource as usual. Attachments point at
 * `Binary/{id}` (clinical notes and reports), so a client can fetch the document they reference.
 */
export function wantsBinaryContent(method: string, segments: string[], accept: string | undefined, format: string | null): boolean {
  if (method !== 'GET' || segments.length !== 2 || segments[0] !== 'Binary' || format) return false;
  const types = (accept ?? '').split(',').map((t) => t.split(';')[0]!.trim().toLowerCase()).filter(Boolean);
  return types.length > 0 && !types.some((t) => t.includes('json') || t === '*/*' || t === 'application/*');
}

/** The Binary's bytes if the client takes its content type (200); 404 when there is no such Binary, 406 when the type does not fit. */
export async function binaryContent(repo: MemoryRepository, id: string, accept: string): Promise<{ status: 200; contentType: string; body: Buffer } | { status: 404 | 406 }> {
  let binary: Binary;
  try {
    binary = await repo.readResource<Binary>('Binary', id);
  } catch {
    return { status: 404 };
  }
  const type = binary.contentType.toLowerCase();
  const takes = accept.split(',').map((t) => t.split(';')[0]!.trim().toLowerCase()).some((t) => t === type || (t.endsWith('/*') && type.startsWith(t.slice(0, -1))));
  return takes ? { status: 200, contentType: binary.contentType, body: Buffer.from(binary.data ?? '', 'base64') } : { status: 406 };
}
