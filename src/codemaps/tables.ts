import { isNdc11 } from '../util/check-digits.js';
import { UserError } from '../util/errors.js';
import { placeOf } from '../util/json-places.js';
import { SYSTEMS } from '../util/systems.js';
import type { CodeMapReader } from './load.js';
import type { SimpleTable } from './types.js';

const FILE = 'tables.json';

/**
 * The tables of code-maps/tables.json that fhirseed reads by name (the claims story, the enrollment story, the
 * profile checks and the builders): each must be there with at least one code. Which codes of them the claims story
 * needs is checked by generate (STORY_TABLE_CODES in src/story/claims/table-codes.ts).
 */
export const TABLE_NAMES = [
  'revenue', 'place-of-service', 'type-of-bill', 'point-of-origin', 'admission-type', 'discharge-status',
  'present-on-admission', 'daw', 'brand-generic', 'rx-origin', 'compound', 'carc', 'ncpdp-reject', 'tooth', 'surface',
  'race', 'ethnicity', 'language', 'location-type', 'subscriber-relationship', 'coverage-type', 'subscriber-role',
  'cpt-modifiers', 'hcpcs-modifiers', 'ambulance-transport-reason', 'compound-vehicles',
] as const;

/** Code shapes a table's codes must have, by system (the ones a wrong code would reach the output unchecked). */
const SHAPES: Partial<Record<string, [(code: string) => boolean, string]>> = { ndc: [isNdc11, 'an 11-digit NDC'] };

/**
 * One line naming the file, the place of `path` in `root` (the file as read: `['tables', NAME, 'codes', 2, 'code']`,
 * or the deepest part of it there) and the table: `code-maps/tables.json:LINE:COLUMN: table 'NAME' PROBLEM`.
 */
function failIn(root: unknown, path: readonly (string | number)[], name: string, problem: string): never {
  const at = placeOf(root, path);
  throw new UserError(`code-maps/${FILE}${at ? `:${at.line}:${at.column}` : ''}: table '${name}' ${problem}`);
}

const isText = (v: unknown): v is string => typeof v === 'string' && v.trim() !== '';
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Reads and checks code-maps/tables.json: tables by name. Throws UserError, one line naming the file, the table and
 * the code's row (1-based) where there is one, for: no `tables` object, a table of TABLE_NAMES missing, a table that
 * is no object, an unknown code system (a key of SYSTEMS, src/util/systems.ts), no source, `licensed` not true or
 * false, `codes` not a non-empty array, a code row that is no object or lacks a code or display, a code of the wrong
 * shape for its system (an NDC of 11 digits), the same code or key twice in a table.
 */
export function loadTables(reader: CodeMapReader): Map<string, SimpleTable> {
  const file: unknown = reader.read(FILE);
  const tables = isObject(file) ? file.tables : undefined;
  if (!isObject(tables)) throw new UserError(`code-maps/${FILE}: expected a "tables" object of tables by name`);
  for (const name of TABLE_NAMES) if (!Object.hasOwn(tables, name)) failIn(file, ['tables'], name, 'is missing (fhirseed reads it)');
  for (const [name, t] of Object.entries(tables)) {
    /** At `path` in this table (`['codes', 2, 'code']`), or the table's `{` when it is not there. */
    const fail: (problem: string, ...path: (string | number)[]) => never = (problem, ...path) => failIn(file, ['tables', name, ...path], name, problem);
    if (!isObject(t)) fail('is not an object');
    if (!isText(t.system) || !Object.hasOwn(SYSTEMS, t.system)) fail(`has unknown code system '${String(t.system)}' (see src/util/systems.ts)`, 'system');
    if (!isText(t.source)) fail('has no source', 'source');
    if (t.licensed !== undefined && typeof t.licensed !== 'boolean') fail(`has licensed ${JSON.stringify(t.licensed)}: expected true or false`, 'licensed');
    if (!Array.isArray(t.codes) || t.codes.length === 0) fail('has no codes (expected a non-empty "codes" array)', 'codes');
    const shape = Object.hasOwn(SHAPES, t.system) ? SHAPES[t.system] : undefined;
    const seen = new Map<string, number>();
    const keys = new Map<string, number>();
    (t.codes as unknown[]).forEach((row: unknown, i) => {
      const at = `code row ${i + 1}`;
      if (!isObject(row)) fail(`${at} is not an object`, 'codes', i);
      if (!isText(row.code)) fail(`${at} has no code`, 'codes', i, 'code');
      if (!isText(row.display)) fail(`${at} ('${row.code}') has no display`, 'codes', i, 'display');
      if (shape && !shape[0](row.code)) fail(`${at}: '${row.code}' is not ${shape[1]}`, 'codes', i, 'code');
      const twin = seen.get(row.code);
      if (twin !== undefined) fail(`${at}: code '${row.code}' is also code row ${twin}`, 'codes', i, 'code');
      seen.set(row.code, i + 1);
      if (row.key !== undefined) {
        if (!isText(row.key)) fail(`${at} ('${row.code}'): key ${JSON.stringify(row.key)} is not a name`, 'codes', i, 'key');
        const keyTwin = keys.get(row.key);
        if (keyTwin !== undefined) fail(`${at}: key '${row.key}' is also code row ${keyTwin}`, 'codes', i, 'key');
        keys.set(row.key, i + 1);
      }
    });
  }
  return new Map(Object.entries(tables as Record<string, SimpleTable>));
}
