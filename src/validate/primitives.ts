/** Formats of the R4 primitive types (regular expressions from the specification), plus calendar checks. */
const YEAR = '([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)';
const DATE = `${YEAR}(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1]))?)?`;
const TIME = '([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)(\\.[0-9]+)?';
const ZONE = '(Z|(\\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))';

const FORMATS: Record<string, RegExp> = {
  date: new RegExp(`^${DATE}$`),
  dateTime: new RegExp(`^${YEAR}(-(0[1-9]|1[0-2])(-(0[1-9]|[1-2][0-9]|3[0-1])(T${TIME}${ZONE})?)?)?$`),
  instant: new RegExp(`^${YEAR}-(0[1-9]|1[0-2])-(0[1-9]|[1-2][0-9]|3[0-1])T${TIME}${ZONE}$`),
  time: new RegExp(`^${TIME}$`),
  id: /^[A-Za-z0-9\-.]{1,64}$/,
  code: /^[^\s]+( [^\s]+)*$/,
  uri: /^\S*$/,
  url: /^\S*$/,
  canonical: /^\S*$/,
  oid: /^urn:oid:[0-2](\.(0|[1-9][0-9]*))+$/,
  uuid: /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  base64Binary: /^(\s*([0-9a-zA-Z+/=]){4}\s*)+$/,
};

/** R4's limit on a string's size, in characters (datatypes.html#string). */
export const MAX_STRING = 1024 * 1024;

const NUMERIC = new Set(['decimal', 'integer', 'unsignedInt', 'positiveInt']);

/** Why a JSON value is not a valid R4 primitive of the type, or undefined if it is. */
export function primitiveProblem(type: string, value: unknown): string | undefined {
  if (type === 'boolean') return typeof value === 'boolean' ? undefined : `expected a boolean, got ${JSON.stringify(value)}`;
  if (NUMERIC.has(type)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) return `expected a number (${type}), got ${JSON.stringify(value)}`;
    if (type !== 'decimal' && !Number.isInteger(value)) return `expected a whole number (${type}), got ${value}`;
    if (type === 'unsignedInt' && value < 0) return `expected unsignedInt ≥ 0, got ${value}`;
    if (type === 'positiveInt' && value < 1) return `expected positiveInt ≥ 1, got ${value}`;
    return undefined;
  }
  if (typeof value !== 'string') return `expected a string (${type}), got ${JSON.stringify(value)}`;
  // R4 datatypes.html#string: "Strings SHALL NOT exceed 1MB (1024*1024 characters) in size" (markdown, code, uri… are strings).
  if (value.length > MAX_STRING && type !== 'base64Binary' && type !== 'xhtml') return `${type} value of ${value.length} characters: R4 strings SHALL NOT exceed 1 MB (${MAX_STRING} characters)`;
  if (value.length === 0 || (type !== 'xhtml' && type !== 'markdown' && value.trim() === '')) return `empty ${type} value`;
  const format = FORMATS[type];
  if (format && !format.test(value)) return `'${value}' is not a valid ${type}`;
  if ((type === 'date' || type === 'dateTime' || type === 'instant') && !realCalendarDate(value)) return `'${value}' is not a real calendar date`;
  return undefined;
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Whether `YYYY-MM-DD…` names a day of the calendar (a value without a day always does). */
export function realCalendarDate(value: string): boolean {
  if (value.length < 10 || value.charCodeAt(4) !== 45 || value.charCodeAt(7) !== 45) return true;
  const y = digits(value, 0, 4);
  const mo = digits(value, 5, 2);
  const d = digits(value, 8, 2);
  if (y < 0 || mo < 0 || d < 0) return true;
  // Date.UTC reads years 0-99 as 1900-1999, so such a date never round-trips: kept as it was judged.
  if (y < 100) return false;
  if (mo < 1 || mo > 12 || d < 1) return false;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= (mo === 2 && leap ? 29 : DAYS[mo - 1]!);
}

/** The number written by `n` ASCII digits from `at`, or -1 if one is not a digit. */
function digits(s: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** FHIR JSON primitive type codes (System.* codes are the primitives' own `value`s). */
export function isPrimitiveType(code: string): boolean {
  return /^[a-z]/.test(code) || code.startsWith('http://hl7.org/fhirpath/System.');
}
