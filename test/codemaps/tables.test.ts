// code-maps/tables.json as a user edits it: every table fhirseed reads is checked when the code maps load, so a
// broken one is one line naming the file, the table and the code row (exit 2 from the CLI), never a plain Error
// halfway through a run (an emptied compound-vehicles ended as exit 70 when the first compounded fill was built).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { codeMapReader } from '../../src/codemaps/load.js';
import { loadTables, TABLE_NAMES } from '../../src/codemaps/tables.js';
import { UserError } from '../../src/util/errors.js';
import { placeless } from '../helpers/placeless.js';

type Tables = { tables: Record<string, Record<string, unknown> & { codes: Record<string, unknown>[] }> };
const shipped = readFileSync('code-maps/tables.json', 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'codemaps-tables-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** loadTables over the shipped tables.json after `edit`, or what it threw. */
function loadEdited(edit: (json: Tables) => void): ReturnType<typeof loadTables> | Error {
  const json = JSON.parse(shipped) as Tables;
  edit(json);
  writeFileSync(join(dir, 'tables.json'), JSON.stringify(json, null, 2));
  try {
    return loadTables(codeMapReader(dir));
  } catch (error) {
    return error as Error;
  }
}

describe('code-maps/tables.json', () => {
  it('should load the shipped tables, every table fhirseed reads among them', () => {
    const tables = loadEdited(() => undefined);
    if (tables instanceof Error) throw tables;
    for (const name of TABLE_NAMES) expect(tables.get(name)?.codes.length, name).toBeGreaterThan(0);
  });

  const cases: [string, (json: Tables) => void, string][] = [
    ['an emptied table', (j) => (j.tables['compound-vehicles']!.codes = []), "table 'compound-vehicles' has no codes (expected a non-empty \"codes\" array)"],
    ['a table taken out', (j) => delete j.tables['compound-vehicles'], "table 'compound-vehicles' is missing (fhirseed reads it)"],
    ['codes that are no array', (j) => (j.tables.tooth!.codes = {} as never), "table 'tooth' has no codes (expected a non-empty \"codes\" array)"],
    ['a table that is no object', (j) => (j.tables.race = [] as never), "table 'race' is not an object"],
    ['an unknown code system', (j) => (j.tables.daw!.system = 'ncpdp'), "table 'daw' has unknown code system 'ncpdp' (see src/util/systems.ts)"],
    ["a system that is only an Object property ('toString')", (j) => (j.tables.daw!.system = 'toString'), "table 'daw' has unknown code system 'toString' (see src/util/systems.ts)"],
    ['a blank source', (j) => (j.tables.carc!.source = ' '), "table 'carc' has no source"],
    ['licensed as text', (j) => (j.tables.revenue!.licensed = 'yes'), `table 'revenue' has licensed "yes": expected true or false`],
    ['a code row that is no object', (j) => (j.tables.language!.codes[1] = null as never), "table 'language' code row 2 is not an object"],
    ['a blanked code', (j) => (j.tables['discharge-status']!.codes[0]!.code = ''), "table 'discharge-status' code row 1 has no code"],
    ['a number for a code', (j) => (j.tables['point-of-origin']!.codes[0]!.code = 1), "table 'point-of-origin' code row 1 has no code"],
    ['a blanked display', (j) => (j.tables['rx-origin']!.codes[2]!.display = ''), "table 'rx-origin' code row 3 ('2') has no display"],
    ['an NDC of the wrong shape', (j) => (j.tables['compound-vehicles']!.codes[0]!.code = '0574-0303-16'), "table 'compound-vehicles' code row 1: '0574-0303-16' is not an 11-digit NDC"],
    ['a code twice', (j) => j.tables.surface!.codes.push({ ...j.tables.surface!.codes[0]! }), "table 'surface' code row 8: code 'M' is also code row 1"],
    ['a key twice', (j) => (j.tables['coverage-type']!.codes[1]!.key = j.tables['coverage-type']!.codes[0]!.key), "table 'coverage-type' code row 2: key 'commercial' is also code row 1"],
    ['a blank key', (j) => (j.tables['subscriber-role']!.codes[0]!.key = ''), `table 'subscriber-role' code row 1 ('SPS'): key "" is not a name`],
  ];
  for (const [what, edit, problem] of cases) {
    it(`should reject ${what} in one line naming the file, the table and the row`, () => {
      const error = loadEdited(edit);
      expect(error).toBeInstanceOf(UserError);
      // At the field or row at fault (test/codemaps/edit-places.test.ts checks a place).
      expect((error as Error).message).toMatch(/^code-maps\/tables\.json:\d+:\d+: /);
      expect(placeless((error as Error).message)).toBe(`code-maps/tables.json: ${problem}`);
    });
  }

  it('should reject a file without a tables object', () => {
    for (const edit of [(j: Tables) => delete (j as Partial<Tables>).tables, (j: Tables) => (j.tables = [] as never)]) {
      expect(loadEdited(edit)).toEqual(new UserError('code-maps/tables.json: expected a "tables" object of tables by name'));
    }
  });
});
