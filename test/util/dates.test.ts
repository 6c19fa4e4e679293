// The digit-by-digit date arithmetic of src/util/dates.ts (issue 13: the simulation converts dates by the million) against
// the Date.parse and split('-') forms it replaced, over every kind of date text: ordinary, month ends, years below 100,
// days a month lacks, and text that is no date at all.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ageInMonths } from '../../src/story/clinical/medications-immunizations.js';
import { ageOn, fromDay, toDay, ymd } from '../../src/util/dates.js';

const DAY_MS = 86_400_000;
const pad = (n: number, width: number) => String(n).padStart(width, '0');
/** Date texts of the YYYY-MM-DD shape, including days a month lacks (02-30) and years 0000–0099. */
const dateText = fc
  .record({ y: fc.oneof(fc.integer({ min: 1900, max: 2100 }), fc.integer({ min: 0, max: 9999 })), m: fc.integer({ min: 0, max: 13 }), d: fc.integer({ min: 0, max: 32 }) })
  .map(({ y, m, d }) => `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`);
const anyText = fc.oneof(dateText, fc.string({ maxLength: 12 }), fc.constantFrom('2024-1-01', '2024/01/01', '20240101', '2024-01-0a', ' 2024-01-01'));

describe('dates', () => {
  it('should give toDay the day number Date.parse gives, for every text', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        expect(toDay(text)).toBe(Math.floor(Date.parse(`${text}T00:00:00Z`) / DAY_MS));
      }),
      { numRuns: 3000 },
    );
  });

  it('should read YYYY-MM-DD as the number YYYYMMDD, and other text as -1', () => {
    expect(ymd('2024-02-29')).toBe(20240229);
    expect(ymd('0099-12-31')).toBe(991231);
    for (const bad of ['2024-13-01', '2024-00-10', '2024-01-32', '2024-01-00', '2024-1-01', '20240101xx', '2024-01-0a', '']) expect(ymd(bad), bad).toBe(-1);
    fc.assert(
      fc.property(fc.integer({ min: -30000, max: 2_900_000 }), (day) => {
        expect(ymd(fromDay(day))).toBe(Number(fromDay(day).replaceAll('-', '')));
      }),
    );
  });

  it("should give fromDay the date of Date's ISO text for every day, whole or not, inside years 0000-9999 or outside", () => {
    const viaDate = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
    // Every day of years 1800-2200, then the edges of the years toISOString writes with four digits.
    const wrong: number[] = [];
    for (let day = -62_091; day <= 84_006; day++) if (fromDay(day) !== viaDate(day)) wrong.push(day);
    expect(wrong).toEqual([]);
    for (const day of [-719_529, -719_528, -719_527, -1, 0, 1, 2_932_896, 2_932_897]) expect(fromDay(day), String(day)).toBe(viaDate(day));
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -800_000, max: 3_000_000 }), fc.double({ min: -800_000, max: 3_000_000, noNaN: true })), (day) => {
        expect(fromDay(day)).toBe(viaDate(day));
      }),
      { numRuns: 5000 },
    );
    expect(() => fromDay(Number.NaN)).toThrow(RangeError);
  });

  it('should count whole years and months between two dates as the field-by-field forms did', () => {
    const splitAge = (b: string, o: string) => {
      const [by, bm, bd] = b.split('-').map(Number) as [number, number, number];
      const [y, m, d] = o.split('-').map(Number) as [number, number, number];
      return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
    };
    const splitMonths = (b: string, o: string) => {
      const [by, bm, bd] = b.split('-').map(Number) as [number, number, number];
      const [y, m, d] = o.split('-').map(Number) as [number, number, number];
      return (y - by) * 12 + (m - bm) - (d < bd ? 1 : 0);
    };
    fc.assert(
      fc.property(dateText, dateText, (birth, on) => {
        expect(ageOn(birth, on)).toBe(splitAge(birth, on));
        expect(ageInMonths(birth, on)).toBe(splitMonths(birth, on));
      }),
      { numRuns: 3000 },
    );
    expect(ageOn('1990-03-02', '2020-03-01')).toBe(29);
    expect(ageOn('1990-03-02', '2020-03-02')).toBe(30);
    expect(ageOn('1990-03-02', '1989-01-01')).toBe(-2);
    expect(ageInMonths('2020-01-31', '2020-02-29')).toBe(0);
    expect(ageInMonths('2020-01-31', '2020-03-31')).toBe(2);
  });
});
