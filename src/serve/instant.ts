/**
 * A query value whose unencoded `+` (`_since=…T00:00:00+02:00`, `_outputFormat=application/fhir+ndjson`) the URL
 * parser decoded as a space (application/x-www-form-urlencoded, WHATWG URL §5.1), read back as the `+` the client
 * meant. Only for parameters none of whose values has a space (an instant, a MIME type).
 */
export function plusMeant(value: string): string {
  return value.replace(/ /g, '+');
}

/** An R4 instant: date, time to the second (optionally fractions), and a zone (Z or ±hh:mm). */
const INSTANT = /^(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):([0-5]\d):([0-5]\d|60)(?:\.(\d+))?(Z|([+-])((?:0\d|1[0-3]):[0-5]\d|14:00))$/;

/**
 * A point in time read from an R4 `instant` (datatypes.html#instant) at its full precision: `seconds` since the Unix
 * epoch (UTC, whole) and `fraction` the digits after the second's point, trailing zeros dropped ("" for none).
 */
export interface PreciseInstant {
  seconds: number;
  fraction: string;
}

/**
 * `text` as a PreciseInstant, or undefined when it is not an R4 instant: not of its form (date, time to the second, a
 * zone) or not a real date (`2026-02-30`; a leap second `:60` is allowed, as R4's regex allows it).
 */
export function readInstant(text: string): PreciseInstant | undefined {
  const match = INSTANT.exec(text);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction = '', zone, sign, offset] = match.map((part) => part ?? '') as string[];
  const y = Number(year);
  const m = Number(month);
  if (Number(day) > new Date(Date.UTC(y, m, 0)).getUTCDate()) return undefined;
  const [offsetHours = 0, offsetMinutes = 0] = zone === 'Z' ? [] : offset!.split(':').map(Number);
  const offsetSeconds = (sign === '-' ? -1 : 1) * (offsetHours * 3600 + offsetMinutes * 60);
  const utc = Date.UTC(y, m - 1, Number(day), Number(hour), Number(minute), Number(second));
  // Date.UTC reads years 0–99 as 1900–1999.
  const shifted = y < 100 ? new Date(utc).setUTCFullYear(y) : utc;
  return { seconds: shifted / 1000 - offsetSeconds, fraction: fraction.replace(/0+$/, '') };
}

/** Whether `a` is at or after `b`, at their full precision (`…02.736Z` is before `…02.7365Z`). */
export function atOrAfter(a: PreciseInstant, b: PreciseInstant): boolean {
  if (a.seconds !== b.seconds) return a.seconds > b.seconds;
  return a.fraction >= b.fraction;
}
