// realCalendarDate (digits read by hand) against the Date round trip it replaced, on dates near and past the edges.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { realCalendarDate } from '../../src/validate/primitives.js';

/** The earlier check: a YYYY-MM-DD prefix is real when Date.UTC gives back the same year, month and day. */
function byDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  if (!m) return true;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

describe('realCalendarDate', () => {
  it('should judge every YYYY-MM-DD as the Date round trip does (leap years, month ends, years below 100)', () => {
    const date = fc.tuple(fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.constantFrom(1900, 2000, 2024, 2100, 1600, 99, 100)), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }));
    const tail = fc.constantFrom('', 'T10:00:00Z', 'x', '-01');
    fc.assert(
      fc.property(date, tail, ([y, mo, d], rest) => {
        const value = `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}${rest}`;
        expect(realCalendarDate(value), value).toBe(byDate(value));
      }),
      { numRuns: 3000 },
    );
    for (const v of ['2024-02-29', '2023-02-29', '1900-02-29', '2000-02-29', '2025-04-31', '2025-12-31', '0050-01-01', '2025-00-10', '2025-01-00']) expect(realCalendarDate(v), v).toBe(byDate(v));
  });

  it('should let through what is not a full date, as before', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12, unit: fc.constantFrom('0', '1', '2', '9', '-', 'T', ':', ' ', '٣') }), (value) => {
        expect(realCalendarDate(value), value).toBe(byDate(value));
      }),
      { numRuns: 3000 },
    );
  });
});
