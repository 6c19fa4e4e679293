/** A calendar date, YYYY-MM-DD. */
export type IsoDate = string;

const DAY_MS = 86_400_000;

export function toDay(date: IsoDate): number {
  const n = ymd(date);
  // Date.UTC on the digits, where it is sure to agree with Date.parse (a day every month has, years from 100): the
  // simulation converts dates by the million (issue 13). Anything else goes through Date.parse as before.
  if (n >= 1_000_101 && n % 100 <= 28) return Date.UTC(Math.floor(n / 10_000), (Math.floor(n / 100) % 100) - 1, n % 100) / DAY_MS;
  return Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
}

/** Day numbers of 0000-01-01 and 9999-12-31 (days since 1970-01-01): the years toISOString writes with 4 digits. */
const FIRST_4_DIGIT_DAY = -719_528;
const LAST_4_DIGIT_DAY = 2_932_896;

/**
 * The date (YYYY-MM-DD, UTC) of day number `day` (days since 1970-01-01): `new Date(day * 86,400,000).toISOString()`'s
 * date, which it still gives for a fractional day, a day outside years 0000–9999 (±YYYYYY) and NaN (RangeError). A
 * whole day within those years is worked out from the day count (civil_from_days, H. Hinnant), without a Date and its
 * ISO text: the simulation turns a member's day numbers back into dates some thousands of times (issue 13).
 */
export function fromDay(day: number): IsoDate {
  if (!Number.isInteger(day) || day < FIRST_4_DIGIT_DAY || day > LAST_4_DIGIT_DAY) return new Date(day * DAY_MS).toISOString().slice(0, 10);
  // Days since 0000-03-01 in 400-year eras (146,097 days each); years start on March 1 so that the leap day comes last.
  const z = day + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shifted = Math.floor((5 * dayOfYear + 2) / 153);
  const dayOfMonth = dayOfYear - Math.floor((153 * shifted + 2) / 5) + 1;
  const month = shifted < 10 ? shifted + 3 : shifted - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const yyyy = year >= 1000 ? String(year) : String(year).padStart(4, '0');
  return `${yyyy}-${month < 10 ? '0' : ''}${month}-${dayOfMonth < 10 ? '0' : ''}${dayOfMonth}`;
}

/**
 * A YYYY-MM-DD date as the number YYYYMMDD, read digit by digit (no arrays, no Date); -1 for any other
 * text. A month 1–12 and a day 1–31 are checked, not whether the month has that day.
 */
export function ymd(date: string): number {
  if (date.length !== 10 || date.charCodeAt(4) !== 45 || date.charCodeAt(7) !== 45) return -1;
  let n = 0;
  for (let i = 0; i < 10; i++) {
    if (i === 4 || i === 7) continue;
    const c = date.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  const month = Math.floor(n / 100) % 100;
  const day = n % 100;
  return month >= 1 && month <= 12 && day >= 1 && day <= 31 ? n : -1;
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromDay(toDay(date) + days);
}

export function daysBetween(from: IsoDate, to: IsoDate): number {
  return toDay(to) - toDay(from);
}

export function minDate(a: IsoDate, b: IsoDate): IsoDate {
  return a < b ? a : b;
}

export function maxDate(a: IsoDate, b: IsoDate): IsoDate {
  return a > b ? a : b;
}

/** Whole years between birth and the given date. */
export function ageOn(birthDate: IsoDate, on: IsoDate): number {
  const b = ymd(birthDate);
  const o = ymd(on);
  // YYYYMMDD numbers: the years between, less one while the birthday is still ahead.
  if (b >= 0 && o >= 0) return Math.floor((o - b) / 10_000);
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [y, m, d] = on.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

export function isIsoDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const t = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().slice(0, 10) === text;
}
