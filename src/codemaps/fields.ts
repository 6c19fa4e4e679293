/**
 * The shape a code-maps row must have where the code reads it: a field name → its kind. Checked when the code maps
 * load, so that a field a user deleted, blanked or filled with the wrong type is one line naming the file, the row
 * and the field (exit 2), not a TypeError halfway through a run (exit 70).
 *
 * Kinds: `text` a non-blank string; `number` a finite number; `boolean` true or false; `coded` an object with a
 * non-blank code and display; `object` any object; `texts` / `codeds` / `objects` / `numbers` a list of those (`+` after the
 * kind: not empty). A `?` at the end: the field may be left out (or null), but if there it has that kind. A name
 * `a.b` is field b of object field a, checked where a is there.
 */
export type FieldKind = 'text' | 'number' | 'boolean' | 'coded' | 'object' | 'texts' | 'codeds' | 'objects' | 'numbers' | 'texts+' | 'codeds+' | 'objects+';

/** Field name → kind, `?` for a field that may be absent. */
export type Fields = Readonly<Record<string, FieldKind | `${FieldKind}?`>>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown): boolean => typeof v === 'string' && v.trim() !== '';
const isCoded = (v: unknown): boolean => isObject(v) && isText(v.code) && isText(v.display);

const SINGLE: Record<string, [(v: unknown) => boolean, string]> = {
  text: [isText, 'a non-blank text'],
  number: [(v) => typeof v === 'number' && Number.isFinite(v), 'a number'],
  boolean: [(v) => typeof v === 'boolean', 'true or false'],
  coded: [isCoded, 'an object with a code and a display'],
  object: [isObject, 'an object'],
};
const LISTS: Record<string, [(v: unknown) => boolean, string]> = {
  texts: [isText, 'texts'],
  codeds: [isCoded, 'objects with a code and a display'],
  objects: [isObject, 'objects'],
  numbers: [(v) => typeof v === 'number' && Number.isFinite(v), 'numbers'],
};

/**
 * What is wrong with field `name` of `row` for `kind` (`pcs: expected a non-empty list of texts, got "x"`), or
 * undefined when it fits.
 */
export function fieldProblem(row: Record<string, unknown>, name: string, kind: string): string | undefined {
  const optional = kind.endsWith('?');
  const base = optional ? kind.slice(0, -1) : kind;
  // `a.b`: field b of object field a, checked only where a is there (a's own kind says whether it must be).
  let value: unknown = row;
  for (const part of name.split('.')) {
    if (!isObject(value)) return undefined;
    value = value[part];
  }
  if (value === undefined || value === null) return optional ? undefined : `${name}: missing (expected ${describe(base)})`;
  const single = SINGLE[base];
  const ok = single ? single[0](value) : listFits(value, base);
  return ok ? undefined : `${name}: expected ${describe(base)}, got ${shown(value)}`;
}

function listFits(value: unknown, kind: string): boolean {
  const nonEmpty = kind.endsWith('+');
  const item = LISTS[nonEmpty ? kind.slice(0, -1) : kind]!;
  return Array.isArray(value) && (!nonEmpty || value.length > 0) && value.every(item[0]);
}

function describe(kind: string): string {
  const single = SINGLE[kind];
  if (single) return single[1];
  const nonEmpty = kind.endsWith('+');
  return `a${nonEmpty ? ' non-empty' : ''} list of ${LISTS[nonEmpty ? kind.slice(0, -1) : kind]![1]}`;
}

/** A value as the message shows it: JSON, cut short. */
function shown(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
