/**
 * The shape a code-maps row must have where the code reads it: a field name → its kind. Checked when the code maps
 * load, so that a field a user deleted, blanked or filled with the wrong type or an out-of-range number is one line
 * naming the file, the row and the field (exit 2), not a TypeError halfway through a run (exit 70) or nonsense output.
 *
 * Kinds: `text` a non-blank string; `number` a finite number; `boolean` true or false; `coded` an object with a
 * non-blank code and display; `object` any object; `texts` / `codeds` / `objects` / `numbers` a list of those (`+` after the
 * kind: not empty). A number kind may carry its range: `number 0..` (≥ 0), `number 0..1` (0 to 1), `number >0`
 * (above 0); `whole` is a number kind with no fraction (`whole 1..12`); `numbers 0..` a list of numbers ≥ 0. A `?` at
 * the end: the field may be left out (or null), but if there it has that kind. A name `a.b` is field b of object field
 * a, checked where a is there. `one of A B C`: one of those texts, as written (an enumeration the code compares
 * against: `group` `one of CO PR OA PI CR`); `each of A B C`: a non-empty list of them.
 */
export type FieldKind =
  | 'text' | 'number' | 'boolean' | 'coded' | 'object' | 'texts' | 'codeds' | 'objects' | 'numbers' | 'texts+' | 'codeds+' | 'objects+'
  | `${'number' | 'whole' | 'numbers'} ${NumberRange}` | `${'one' | 'each'} of ${string}`;

/** The range of a number kind: `LOW..` (≥ LOW), `LOW..HIGH` (both included), `>LOW` (above LOW). */
export type NumberRange = `${number}..` | `${number}..${number}` | `>${number}`;

/** Field name → kind, `?` for a field that may be absent. */
export type Fields = Readonly<Record<string, FieldKind | `${FieldKind}?`>>;

/** An age in years: 0-120 (profiles' age bands end at 110; the tables write 120 for "and over"). */
export const AGE = 'number 0..120';
/** An age in months, 0-1440 (120 years): the immunization schedule's. */
export const AGE_MONTHS = 'whole 0..1440';
/** A measured value (a lab result, a vital sign, a goal's target): every one the tables have is a concentration, count, rate, size or percentage, never below 0. */
export const MEASURE = 'number 0..';
/** A result's decimal places (toFixed): 0-6. */
export const DECIMALS = 'whole 0..6';
/** A relative weight of a draw (rng.weighted): ≥ 0, the draw's total must still be above 0. */
export const WEIGHT = 'number 0..';
/** A share of members (a probability): 0-1. */
export const SHARE = 'number 0..1';

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

/** A number kind parsed: whole or not, the bounds and what the message says it expects. */
interface NumberKind {
  list: boolean;
  whole: boolean;
  low: number;
  /** `low` itself is out of range (`>0`). */
  above: boolean;
  high: number;
  expected: string;
}

const numberKinds = new Map<string, NumberKind | undefined>();

/** `number 0..1`, `whole 1..`, `numbers >0` parsed (once per kind); undefined for any other kind. */
function numberKind(kind: string): NumberKind | undefined {
  if (numberKinds.has(kind)) return numberKinds.get(kind);
  const m = /^(number|whole|numbers) (?:>(-?[\d.]+)|(-?[\d.]+)\.\.(-?[\d.]+)?)$/.exec(kind);
  let parsed: NumberKind | undefined;
  if (m) {
    const [, word, above, low, high] = m;
    const what = word === 'whole' ? 'a whole number' : 'a number';
    const bounds = above !== undefined ? `> ${above}` : high !== undefined ? `from ${low} to ${high}` : `≥ ${low}`;
    parsed = {
      list: word === 'numbers',
      whole: word === 'whole',
      low: Number(above ?? low),
      above: above !== undefined,
      high: high === undefined ? Infinity : Number(high),
      expected: word === 'numbers' ? `a list of numbers ${bounds}` : `${what} ${bounds}`,
    };
  }
  numberKinds.set(kind, parsed);
  return parsed;
}

function inRange(v: unknown, k: NumberKind): boolean {
  return typeof v === 'number' && Number.isFinite(v) && (!k.whole || Number.isInteger(v)) && (k.above ? v > k.low : v >= k.low) && v <= k.high;
}

/**
 * What is wrong with field `name` of `row` for `kind` (`pcs: expected a non-empty list of texts, got "x"`,
 * `charge: expected a number ≥ 0, got -5`), or undefined when it fits.
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
  const ranged = numberKind(base);
  const choice = /^(one|each) of (.+)$/.exec(base);
  if (value === undefined || value === null) {
    if (optional) return undefined;
    return `${name}: missing (expected ${ranged ? ranged.expected : choice ? choiceExpected(choice[1]!, choice[2]!) : describe(base)})`;
  }
  if (choice) return choiceProblem(name, value, choice[1] === 'each', choice[2]!.split(' '));
  if (ranged) {
    const ok = ranged.list ? Array.isArray(value) && value.every((v) => inRange(v, ranged)) : inRange(value, ranged);
    return ok ? undefined : `${name}: expected ${ranged.expected}, got ${shown(value)}`;
  }
  const single = SINGLE[base];
  const ok = single ? single[0](value) : listFits(value, base);
  return ok ? undefined : `${name}: expected ${describe(base)}, got ${shown(value)}`;
}

/**
 * What is wrong with the order of a `…Min…` / `…Max…` pair of `fields` (`ageMin` / `ageMax`, `ageMinMonths` /
 * `ageMaxMonths`) in `row`: `ageMin 70 is above ageMax 18` (a window no member fits), or undefined when each pair
 * present is in order. Run after fieldProblem has passed every field (the pair's values are numbers or absent).
 */
export function orderProblem(row: Record<string, unknown>, fields: Fields): string | undefined {
  for (const min of Object.keys(fields)) {
    if (!min.includes('Min')) continue;
    const max = min.replace('Min', 'Max');
    const [low, high] = [row[min], row[max]];
    if (max in fields && typeof low === 'number' && typeof high === 'number' && low > high) return `${min} ${low} is above ${max} ${high}`;
  }
  return undefined;
}

/** `group: expected CO, PR, OA, PI or CR, got "XX"`; for a list, the first item that is none of them. */
function choiceProblem(name: string, value: unknown, list: boolean, choices: readonly string[]): string | undefined {
  const expected = choiceExpected(list ? 'each' : 'one', choices.join(' '));
  if (!list) return typeof value === 'string' && choices.includes(value) ? undefined : `${name}: expected ${expected}, got ${shown(value)}`;
  if (!Array.isArray(value) || value.length === 0) return `${name}: expected ${expected}, got ${shown(value)}`;
  const bad = value.find((v) => typeof v !== 'string' || !choices.includes(v));
  return bad === undefined ? undefined : `${name}: expected ${expected}, got ${shown(bad)}`;
}

function choiceExpected(how: string, choices: string): string {
  const words = choices.split(' ');
  const either = words.length > 1 ? `${words.slice(0, -1).join(', ')} or ${words.at(-1)}` : words[0]!;
  return how === 'each' ? `a non-empty list, each ${either}` : either;
}

function listFits(value: unknown, kind: string): boolean {
  const nonEmpty = kind.endsWith('+');
  const item = LISTS[nonEmpty ? kind.slice(0, -1) : kind];
  if (!item) throw new Error(`unknown code-maps field kind '${kind}'`);
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
  const text = typeof value === 'number' ? String(value) : JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
