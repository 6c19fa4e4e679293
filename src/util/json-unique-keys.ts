import { parseJsonWithPlaces } from './json-places.js';
import { parseJsonText } from './json-text.js';

/**
 * A string token of a JSON text and, when a `:` follows it, that it is a key. Matched from the start of a text that
 * JSON.parse accepted, each match is a whole string (escapes included), so the next `"` outside one opens the next.
 */
const STRING_TOKEN = /"(?:[^"\\]|\\.)*"(\s*:)?/g;

/**
 * `text` as JSON, as parseJsonWithPlaces reads it (a byte order mark dropped, the same `NAME:LINE:COLUMN: not JSON (…)`
 * UserError, and a key given twice in one object refused with its `NAME:LINE:COLUMN: "KEY" is given twice in one
 * object (first at LINE:COLUMN); keep one` UserError), but without recording the places: JSON.parse, then a count of
 * the keys in the text against the keys the parse kept (JSON.parse keeps the last of two, so a duplicate leaves one
 * fewer). Only a text with a duplicate is read again with places, to say where. About a tenth of parseJsonWithPlaces'
 * time and none of its garbage on code-maps/ (1.4 MB: 15 ms against 150–180 ms, issue 13).
 */
export function parseJsonUniqueKeys<T>(text: string, name: string): T {
  const root = parseJsonText<T>(text, name);
  let inText = 0;
  for (const match of text.matchAll(STRING_TOKEN)) if (match[1] !== undefined) inText++;
  if (inText !== keysIn(root)) parseJsonWithPlaces(text, name);
  return root;
}

/** The own keys of every object in a parsed JSON value, nested ones included. */
function keysIn(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let n = 0;
  if (Array.isArray(value)) {
    for (const item of value) n += keysIn(item);
    return n;
  }
  for (const key in value) n += 1 + keysIn((value as Record<string, unknown>)[key]);
  return n;
}
