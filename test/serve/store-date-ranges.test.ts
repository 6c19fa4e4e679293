// The SQLite store's date rows (issue 17): rangeOf remembers toPeriod's answers by the text that decides them, and
// gives, first time or again, exactly what medplum's toPeriod gives (the rows a search's date filter is decided on).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toPeriod } from '@medplum/core';
import { OPEN_HIGH, OPEN_LOW, rangeOf } from '../../src/serve/store/dates.js';

/** What toPeriod makes of `value`, as a row's range: null when it gives none or throws. */
function expected(value: unknown): readonly [string, string] | null {
  try {
    const period = toPeriod(value);
    return period ? [period.start ?? OPEN_LOW, period.end ?? OPEN_HIGH] : null;
  } catch {
    return null;
  }
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
/** Dates at every precision, possible or not (day 31 of February, month 13), with a zone or none, and other strings. */
const dateText = fc.oneof(
  fc
    .tuple(
      fc.integer({ min: 1, max: 9999 }),
      fc.integer({ min: 0, max: 13 }),
      fc.integer({ min: 0, max: 32 }),
      fc.integer({ min: 0, max: 24 }),
      fc.integer({ min: 0, max: 60 }),
      fc.integer({ min: 0, max: 60 }),
      fc.integer({ min: 0, max: 999 }),
      fc.integer({ min: 0, max: 7 }),
      fc.constantFrom('', 'Z', '+05:30', '-08:00', '+14:00'),
    )
    .map(([y, mo, d, h, mi, s, ms, precision, zone]) => {
      const parts = [pad(y, 4), `-${pad(mo, 2)}`, `-${pad(d, 2)}`, `T${pad(h, 2)}:${pad(mi, 2)}`, `:${pad(s, 2)}`, `.${pad(ms, 3)}`];
      const text = parts.slice(0, Math.min(precision, parts.length)).join('') || pad(y, 4);
      return precision >= 4 ? `${text}${zone}` : text;
    }),
  fc.constantFrom('', 'childhood', '2020-01-01T10', 'T10:00:00', '2020-02-30', '2021-13-01', '0000', '2020-01-01T00:00:00+99:99'),
  fc.string({ maxLength: 12 }),
);
/** A value a date parameter's path may hold: a string, a Period (either end absent, empty or another type), a Timing. */
const dateValue = fc.oneof(
  dateText,
  fc.record({ start: fc.option(dateText, { nil: undefined }), end: fc.option(dateText, { nil: undefined }) }, { requiredKeys: [] }),
  fc.record({ start: fc.oneof(dateText, fc.constant(null), fc.integer()), end: fc.oneof(dateText, fc.constant(null)) }),
  fc.record({ event: fc.array(dateText, { maxLength: 2 }) }),
  fc.integer(),
  fc.boolean(),
);

describe('rangeOf (the date rows\' ranges, remembered)', () => {
  it('gives what toPeriod gives, met first or again, in any order', () => {
    fc.assert(
      fc.property(fc.array(dateValue, { minLength: 1, maxLength: 30 }), (values) => {
        // Twice over: the second pass answers from what the first remembered.
        for (const value of [...values, ...values]) expect(rangeOf(value)).toEqual(expected(value));
      }),
      { numRuns: 500 },
    );
  });

  it('tells a Period\'s start from its end, and a Period from the same text alone', () => {
    const both = { start: '2020', end: '2021' };
    const values = [{ start: '2020' }, { end: '2020' }, '2020', { start: '2020', end: '' }, { start: '', end: '2020' }, both, { start: '20202', end: '021' }];
    for (const value of [...values, ...values.reverse()]) expect(rangeOf(value)).toEqual(expected(value));
    expect(rangeOf({ start: '2020' })).toEqual(['2020-01-01T00:00:00.000Z', OPEN_HIGH]);
    expect(rangeOf({ end: '2020' })).toEqual([OPEN_LOW, '2020-12-31T23:59:59.999Z']);
  });

  it('gives no range for an impossible date, again and again', () => {
    for (let i = 0; i < 3; i++) {
      expect(rangeOf('2021-13-01')).toBeNull();
      expect(rangeOf({ start: '2021-13-01' })).toBeNull();
    }
  });
});
