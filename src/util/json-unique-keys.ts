import { parseJsonWithPlaces } from './json-places.js';
import { parseJsonText } from './json-text.js';

/**
 * `text` as JSON, as parseJsonWithPlaces reads it (a byte order mark dropped, the same `NAME:LINE:COLUMN: not JSON (…)`
 * UserError, and a key given twice in one object refused with its `NAME:LINE:COLUMN: "KEY" is given twice in one
 * object (first at LINE:COLUMN); keep one` UserError), but without recording the places: JSON.parse, then a count of
 * the keys in the text against the keys the parse kept (JSON.parse keeps the last of two, so a duplicate leaves one
 * fewer). Only a text with a duplicate is read again with places, to say where. About a tenth of parseJsonWithPlaces'
 * time and none of its garbage on code-maps/ (1.4 MB: ~20 ms against 150–180 ms, issue 13).
 */
export function parseJsonUniqueKeys<T>(text: string, name: string): T {
  const root = parseJsonText<T>(text, name);
  if (keysInText(text) !== keysIn(root)) parseJsonWithPlaces(text, name);
  return root;
}

/**
 * The keys of a text JSON.parse accepted: its strings followed by a `:`. Outside strings such a text has no `"`, so from
 * one string's closing quote the next `"` opens the next string; a quote after an odd number of backslashes is inside
 * one. indexOf, not a regular expression: 7.5 ms against 27 for code-maps/ in a fresh process (the match objects).
 */
/** RFC 8259's whitespace: space, line feed, carriage return, tab. */
const JSON_SPACE = new Set([0x20, 0x0a, 0x0d, 0x09]);

function keysInText(text: string): number {
  let n = 0;
  let open = text.indexOf('"');
  while (open >= 0) {
    let close = text.indexOf('"', open + 1);
    for (;;) {
      let slash = close - 1;
      while (text.charCodeAt(slash) === 0x5c) slash--;
      if ((close - 1 - slash) % 2 === 0) break;
      close = text.indexOf('"', close + 1);
    }
    let next = close + 1;
    while (JSON_SPACE.has(text.charCodeAt(next))) next++;
    if (text.charCodeAt(next) === 0x3a) n++;
    open = text.indexOf('"', next);
  }
  return n;
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
