import type { Resource } from '@medplum/fhirtypes';
import { streamFile } from './read-stream.js';
import type { ReadProblem } from './read.js';

/**
 * A repeated `Type/id` whose content differs from its first place (an `ndjson/` line edited by hand while
 * `bundles/` keeps the generated copy): only the first place is validated, so the repeat is reported.
 */
export interface Repeat {
  key: string;
  file: string;
  /** NDJSON: the repeat's line (1-based); undefined in a JSON file. */
  line: number | undefined;
  /** contentPrint of the repeat, parsed and written again. */
  content: number;
}

/** FNV-1a over bytes: a 32-bit fingerprint of a resource's JSON text. */
export function bytesPrint(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 16777619);
  return h >>> 0;
}

/**
 * A resource's content fingerprint, whatever its whitespace (`--pretty`, a Bundle entry or an NDJSON line):
 * bytesPrint of its JSON.stringify text, which is what an NDJSON line as fhirseed writes it already is, so
 * such a line's bytes can be printed without parsing them.
 */
export function contentPrint(r: Resource): number {
  return bytesPrint(Buffer.from(JSON.stringify(r)));
}

/**
 * The read problems for repeats whose content differs from their first place, in the repeats' order:
 * one more pass over the files (only when a repeat's print differed) finds each key's first place and
 * prints it parsed, so that a first place that was an NDJSON line written differently (spaces, `\r`)
 * but with the same content is no difference.
 */
export function differingRepeats(files: readonly string[], repeats: readonly Repeat[]): ReadProblem[] {
  if (!repeats.length) return [];
  const first = new Map<string, { place: string; content: number } | undefined>(repeats.map((r) => [r.key, undefined]));
  let left = first.size;
  for (const file of files) {
    if (!left) break;
    streamFile(file, {
      resource: (r, at) => {
        const key = `${r.resourceType}/${r.id}`;
        if (r.id === undefined || !first.has(key) || first.get(key)) return;
        first.set(key, { place: at.line ? `${file}:${at.line}` : file, content: contentPrint(r) });
        left--;
      },
      problem: () => undefined, // told by the scan
      skipped: () => undefined,
    });
  }
  return repeats.flatMap((r) => {
    const f = first.get(r.key);
    if (!f || f.content === r.content) return [];
    return [{ file: r.file, ...(r.line ? { line: r.line } : {}), message: `${r.key} differs from the same resource in ${f.place}; only that one is validated`, kind: 'repeated' }];
  });
}
