import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCodeMaps } from '../../src/codemaps/load.js';
import { UserError } from '../../src/util/errors.js';
import { parseJsonWithPlaces, placeOf } from '../../src/util/json-places.js';
import { thrown } from '../helpers/thrown.js';

const temps: string[] = [];
afterEach(() => {
  for (const temp of temps.splice(0)) rmSync(temp, { recursive: true, force: true });
});

/** A copy of code-maps/ with `file`'s text edited as text (the user's editor), and that text. */
function editedCopy(file: string, edit: (text: string) => string): { dir: string; text: string } {
  const temp = mkdtempSync(join(tmpdir(), 'codemaps-places-'));
  temps.push(temp);
  cpSync('code-maps', temp, { recursive: true });
  const text = edit(readFileSync(join(temp, file), 'utf8'));
  writeFileSync(join(temp, file), text);
  return { dir: temp, text };
}

/** `line:column` (1-based) of the first `needle` in `text` after the first `after`. */
function where(text: string, needle: string, after = ''): string {
  const offset = text.indexOf(needle, text.indexOf(after));
  expect(offset, needle).toBeGreaterThanOrEqual(0);
  const lines = text.slice(0, offset).split('\n');
  return `${lines.length}:${lines.at(-1)!.length + 1}`;
}

describe('parseJsonWithPlaces', () => {
  it('should give the place of every value, as JSON.parse reads the text', () => {
    const text = '\uFEFF{\n  "rows": [\n    {"key": "a", "n": 1},\n    {"key": "b", "__proto__": 2}\n  ]\n}';
    const json = parseJsonWithPlaces<any>(text, 'x.json');
    expect(json).toEqual(JSON.parse(text.slice(1)));
    expect(Object.hasOwn(json.rows[1], '__proto__')).toBe(true);
    expect(placeOf(json)).toEqual({ line: 1, column: 1 });
    expect(placeOf(json, ['rows', 0, 'n'])).toEqual({ line: 3, column: 23 });
    expect(placeOf(json.rows[1], ['key'])).toEqual({ line: 4, column: 13 });
    // A missing field: the deepest part that is there.
    expect(placeOf(json.rows[1], ['charge'])).toEqual({ line: 4, column: 5 });
    expect(placeOf({ made: 'here' })).toBeUndefined();
  });

  it('should refuse a key twice in one object, at the second, naming the first; not across objects', () => {
    const error = thrown(() => parseJsonWithPlaces('{"a": {"x": 1,\n  "y": 2, "x": 3}}', 'x.json'));
    expect(error).toEqual(new UserError('x.json:2:11: "x" is given twice in one object (first at 1:8); keep one'));
    expect(parseJsonWithPlaces('[{"x": 1}, {"x": 2}]', 'x.json')).toEqual([{ x: 1 }, { x: 2 }]);
  });

  it("should keep parseJsonText's syntax errors", () => {
    expect(thrown(() => parseJsonWithPlaces('{"a": 1,}', 'x.json')).message).toBe('x.json:1:9: not JSON (Expected double-quoted property name)');
  });
});

describe('code-maps errors name file:line:column', () => {
  it('should refuse a price given twice in pricing.json (JSON.parse kept the last: a 10× price)', () => {
    const { dir, text } = editedCopy('pricing.json', (t) => t.replace('"99213": 2.75,', '"99213": 2.75,\n      "99213": 27.5,'));
    const first = where(text, '"99213"', '"rvus"');
    const second = where(text, '"99213": 27.5');
    expect(thrown(() => loadCodeMaps(dir))).toEqual(new UserError(`code-maps/pricing.json:${second}: "99213" is given twice in one object (first at ${first}); keep one`));
  });

  it('should refuse an RVU above what one service can carry, at its value', () => {
    const { dir, text } = editedCopy('pricing.json', (t) => t.replace('"99213": 2.75,', '"99213": 2750,'));
    expect(thrown(() => loadCodeMaps(dir)).message).toBe(
      `code-maps/pricing.json:${where(text, '2750')}: 'rvus.codes.99213': 2750 is above 200: total RVUs of one service; the heaviest in the CMS PFS, the transplant codes, are about 150`,
    );
    const cf = editedCopy('pricing.json', (t) => t.replace('"conversionFactor": 33.4009', '"conversionFactor": 3340.09'));
    expect(thrown(() => loadCodeMaps(cf.dir)).message).toMatch(new RegExp(`^code-maps/pricing\\.json:${where(cf.text, '3340.09')}: 'pfs\\.conversionFactor': 3340\\.09 is above 100: dollars per RVU`));
    const book = editedCopy('pricing.json', (t) => t.replace('"hospital": 2.54', '"hospital": 254'));
    expect(thrown(() => loadCodeMaps(book.dir)).message).toMatch(new RegExp(`^code-maps/pricing\\.json:${where(book.text, '254,', '"commercial"')}: 'books\\.commercial\\.hospital': 254 is above 10: a multiple of Medicare`));
  });

  it("should point a row's field error at the field's value", () => {
    const { dir, text } = editedCopy('professional-procedures.json', (t) => t.replace(/("code": "99213",[\s\S]*?"charge": )[\d.]+/, '$1-5'));
    expect(thrown(() => loadCodeMaps(dir)).message).toBe(`code-maps/professional-procedures.json:${where(text, '-5')}: row 2: charge: expected a number from 0 to 1000000, got -5`);
  });

  it("should point a keyed row's error at the field named", () => {
    const { dir, text } = editedCopy('professional-procedures.json', (t) => t.replace('"code": "99213"', '"code": "9921"'));
    expect(thrown(() => loadCodeMaps(dir)).message).toBe(`code-maps/professional-procedures.json:${where(text, '"9921"')}: 'ov-est-3': '9921' is not a CPT code`);
  });

  it('should point a missing field at its row', () => {
    const { dir, text } = editedCopy('denials.json', (t) => t.replace(/"group": "PR",?/, ''));
    const error = thrown(() => loadCodeMaps(dir));
    expect(error.message).toMatch(/^code-maps\/denials\.json:\d+:\d+: row \d+: group: missing/);
    const [line, column] = error.message.split(':').slice(1, 3).map(Number);
    expect(text.split('\n')[line! - 1]![column! - 1]).toBe('{');
  });
});

describe('places after the load', () => {
  it('should not keep the places of the rows a load keeps (each thread holds the code maps for the whole run)', () => {
    const { dir } = editedCopy('dental.json', (text) => text);
    const maps = loadCodeMaps(dir);
    const rows = [...maps.procedures.values(), ...maps.dental.values(), ...maps.denials, ...maps.taxonomy];
    expect(rows.length).toBeGreaterThan(100);
    expect(rows.filter((row) => placeOf(row) !== undefined)).toEqual([]);
  });
});

describe("catalog and clinical key errors name the field's place (s15 trial E3)", () => {
  it.each([
    ['catalog/conditions.json', '"code": "I10",', '"code": "110",', '"110"', "'hypertension': '110' is not an ICD-10-CM code"],
    ['catalog/conditions.json', '"2951-2",', '"0000-0",', '"0000-0"', "'hypertension': names lab '0000-0', which catalog/labs.json does not have"],
    ['catalog/drugs.json', '"code": "69097083705"', '"code": "6909708370"', '"6909708370"', 'is not 11 digits'],
    ['vitals.json', '"code": "85354-9"', '"code": "85354"', '"85354"', "'blood-pressure': '85354' is not a LOINC code"],
  ])('%s: %s → %s at the value', (file, from, to, value, problem) => {
    const { dir, text } = editedCopy(file, (t) => t.replace(from, to));
    const message = thrown(() => loadCodeMaps(dir)).message;
    expect(message.startsWith(`code-maps/${file}:${where(text, value)}: `), message).toBe(true);
    expect(message).toContain(problem);
  });
});
