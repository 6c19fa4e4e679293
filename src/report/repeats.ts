import { contentPrint } from '../validate/repeats.js';
import { streamResources, type ResourcePlace } from './read.js';

/**
 * One line for each repeat of a counted `Type/id` whose content differs from its first copy, which is the one
 * the report counts (MemberCollector keeps the first and counts the rest as duplicates):
 * `b/Patient.ndjson:3: Patient/p1 differs from the same resource in a/Patient.ndjson:1; only that one is counted`,
 * in read order, worded as validate's read problem (src/validate/repeats.ts). `keys` are the repeated keys
 * (MemberCollector.repeated); `path` is read once more, only when there are any. Content is compared by
 * contentPrint (32-bit FNV-1a of the JSON.stringify text: whitespace and `--pretty` are no difference; a changed
 * copy whose print equals the first one's, a 2⁻³² chance, is not told). Throws UserError as streamResources.
 */
export async function differingRepeats(path: string, keys: ReadonlySet<string>): Promise<string[]> {
  if (!keys.size) return [];
  const first = new Map<string, { place: string; print: number }>();
  const lines: string[] = [];
  await streamResources(path, (r, _resolve, at) => {
    if (r.id === undefined) return;
    const key = `${r.resourceType}/${r.id}`;
    if (!keys.has(key)) return;
    const print = contentPrint(r);
    const seen = first.get(key);
    if (!seen) first.set(key, { place: placeText(at), print });
    else if (seen.print !== print) lines.push(`${placeText(at)}: ${key} differs from the same resource in ${seen.place}; only that one is counted`);
  });
  return lines;
}

function placeText(at: ResourcePlace): string {
  return at.line === undefined ? at.file : `${at.file}:${at.line}`;
}
