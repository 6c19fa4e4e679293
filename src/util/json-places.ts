import { visit } from 'jsonc-parser';
import { UserError } from './errors.js';
import { parseJsonText } from './json-text.js';

/** A place in a text: 1-based line and column (UTF-16 code units, as editors count them). */
export interface TextPlace {
  line: number;
  column: number;
}

/** Where the parts of one object or array of a parsed JSON text are. */
export interface JsonPlaces {
  /** Its opening `{` or `[`. */
  at: TextPlace;
  /** Object: each key (its opening quote) and its value (first character). */
  keys?: Map<string, { key: TextPlace; value: TextPlace }>;
  /** Array: each item's first character. */
  items?: TextPlace[];
}

let placesByValue = new WeakMap<object, JsonPlaces>();

/**
 * Drops every place recorded so far. The values parsed stay (code maps keep their rows for the whole run), and the
 * places of each of their objects and arrays would stay with them, in every thread that loads them: ~25-40 MiB of peak
 * RSS for `generate --jobs 2` at 1,000 members. Call it once the places can no longer be asked for.
 */
export function forgetPlaces(): void {
  placesByValue = new WeakMap();
}

/** Where the parts of `value`, an object or array returned by parseJsonWithPlaces, are in its text; undefined for any other. */
export function placesOf(value: unknown): JsonPlaces | undefined {
  return typeof value === 'object' && value !== null ? placesByValue.get(value) : undefined;
}

/**
 * Where `path` (keys and array indexes from `value`, e.g. `['codes', '99213']`) is in `value`'s text, or the deepest
 * part of it that is there (a missing field: the object that lacks it); undefined when `value` was not parsed by
 * parseJsonWithPlaces.
 */
export function placeOf(value: unknown, path: readonly (string | number)[] = []): TextPlace | undefined {
  let place = placesOf(value)?.at;
  let current: any = value;
  for (const part of path) {
    const places = placesOf(current);
    const found = typeof part === 'number' ? places?.items?.[part] : places?.keys?.get(part)?.value;
    if (!found) break;
    place = found;
    current = current[part];
  }
  return place;
}

/**
 * `text` as JSON, as parseJsonText reads it (a byte order mark dropped; the same `NAME:LINE:COLUMN: not JSON (…)`
 * UserError), with the place of every object's keys and values and every array's items kept for placesOf/placeOf.
 * A key given twice in one object is refused: UserError `NAME:LINE:COLUMN: "KEY" is given twice in one object (first at
 * LINE:COLUMN); keep one` at the second. RFC 8259 §4 leaves duplicate names' meaning open and JSON.parse silently keeps
 * the last, so a pasted second line would replace a figure without a word. Places come from jsonc-parser's scanner
 * (strict: no comments, no trailing commas), which reads the same text JSON.parse accepted.
 */
export function parseJsonWithPlaces<T>(text: string, name: string): T {
  const root = parseJsonText<T>(text, name);
  const body = text.replace(/^\uFEFF/, '');
  type Open = { value: any; places: JsonPlaces; key?: string };
  const stack: Open[] = [];
  const place = (line: number, character: number): TextPlace => ({ line: line + 1, column: character + 1 });
  /** Records a value's place in the open object or array and returns the value itself (from JSON.parse's tree). */
  const enter = (at: TextPlace): any => {
    const top = stack.at(-1);
    if (!top) return root;
    if (top.places.items) {
      top.places.items.push(at);
      return top.value[top.places.items.length - 1];
    }
    const entry = top.places.keys!.get(top.key!)!;
    entry.value = at;
    return top.value[top.key!];
  };
  const open = (at: TextPlace, array: boolean) => {
    const value = enter(at);
    const places: JsonPlaces = array ? { at, items: [] } : { at, keys: new Map() };
    if (typeof value === 'object' && value !== null) placesByValue.set(value, places);
    stack.push({ value, places });
  };
  visit(
    body,
    {
      onObjectBegin: (_offset, _length, line, character) => open(place(line, character), false),
      onArrayBegin: (_offset, _length, line, character) => open(place(line, character), true),
      onObjectEnd: () => void stack.pop(),
      onArrayEnd: () => void stack.pop(),
      onObjectProperty: (key, _offset, _length, line, character) => {
        const top = stack.at(-1)!;
        const at = place(line, character);
        const first = top.places.keys!.get(key);
        if (first) {
          throw new UserError(`${name}:${at.line}:${at.column}: ${JSON.stringify(key)} is given twice in one object (first at ${first.key.line}:${first.key.column}); keep one`);
        }
        top.places.keys!.set(key, { key: at, value: at });
        top.key = key;
      },
      onLiteralValue: (_value, _offset, _length, line, character) => void enter(place(line, character)),
    },
    { disallowComments: true, allowTrailingComma: false },
  );
  return root;
}
