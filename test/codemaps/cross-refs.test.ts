// A results row a condition's visit test needs, deleted from its table: found when the code maps load (one line, exit 2
// from the CLI), where before `generate --members 25` went through with the test billed and no result (exit 0).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCodeMaps } from '../../src/codemaps/load.js';
import { UserError } from '../../src/util/errors.js';
import { thrown } from '../helpers/thrown.js';
import { placeless } from '../helpers/placeless.js';

const SHIPPED = resolve('code-maps');
const root = mkdtempSync(join(tmpdir(), 'codemaps-cross-refs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let copies = 0;

type Rows = { rows: Record<string, unknown>[] };
const without = (key: string) => (j: Rows) => (j.rows = j.rows.filter((r) => r.key !== key));

/** A copy of the shipped code maps with each file of `edits` edited, as JSON: its directory. */
function copyWith(edits: Record<string, (json: Rows) => void>): string {
  const dir = join(root, String(copies++));
  cpSync(SHIPPED, dir, { recursive: true });
  for (const [file, edit] of Object.entries(edits)) {
    const json = JSON.parse(readFileSync(join(SHIPPED, file), 'utf8')) as Rows;
    edit(json);
    writeFileSync(join(dir, file), JSON.stringify(json));
  }
  return dir;
}

/** The first condition of the shipped catalog whose visit tests name `test`. */
function firstNaming(test: string): string {
  const rows = JSON.parse(readFileSync(join(SHIPPED, 'catalog/conditions.json'), 'utf8')).rows as { key: string; visitTests: string[] }[];
  const row = rows.find((c) => c.visitTests.includes(test));
  if (!row) throw new Error(`no shipped condition names visit test '${test}'`);
  return row.key;
}

describe('a results row a visit test needs, deleted', () => {
  const cases: [string, Record<string, (json: Rows) => void>, string, string][] = [
    ['the hba1c panel of labs.json', { 'labs.json': without('hba1c') }, 'hba1c', 'labs.json does not have (nor labs-clinical-results.json)'],
    ['the ecg row of labs-clinical-results.json', { 'labs-clinical-results.json': without('ecg') }, 'ecg', 'labs.json does not have (nor labs-clinical-results.json)'],
    ['the knee-xray report of planning-reports.json', { 'planning-reports.json': without('knee-xray') }, 'knee-xray', 'labs-clinical-results.json does not have (nor planning-reports.json)'],
    [
      'the chest-xray rows of labs-clinical-results.json and planning-reports.json',
      { 'labs-clinical-results.json': without('chest-xray'), 'planning-reports.json': without('chest-xray') },
      'chest-xray',
      'labs-clinical-results.json does not have (nor planning-reports.json)',
    ],
  ];
  it.each(cases)('%s stops the load with one line naming the condition and the test', (_what, edits, test, which) => {
    const error = thrown(() => loadCodeMaps(copyWith(edits)));
    expect(error).toBeInstanceOf(UserError);
    expect(placeless(error.message)).toBe(`code-maps/catalog/conditions.json: '${firstNaming(test)}': visitTests names '${test}', which ${which}`);
  });

  it('a taxonomy a care-team role names, deleted from nucc-taxonomy.json, stops the load', () => {
    const role = JSON.parse(readFileSync(join(SHIPPED, 'planning-careteam-roles.json'), 'utf8')).rows.find((r: { taxonomies: string[] }) => r.taxonomies.length) as { key: string; taxonomies: string[] };
    const code = role.taxonomies[0]!;
    const error = thrown(() => loadCodeMaps(copyWith({ 'nucc-taxonomy.json': (j) => (j.rows = j.rows.filter((r) => r.code !== code)) })));
    expect(error).toBeInstanceOf(UserError);
    expect(placeless(error.message)).toBe(`code-maps/planning-careteam-roles.json: '${role.key}': taxonomies names '${code}', which nucc-taxonomy.json does not have`);
  });

  it('an imaging test with either of its results rows loads (chest-xray keeps its report)', () => {
    expect(loadCodeMaps(copyWith({ 'labs-clinical-results.json': without('chest-xray') })).clinical.planning.reports.has('chest-xray')).toBe(true);
  });
});

// Rows the claims bill by use (extra office lab lines, hospital lab and imaging lines), whether or not a condition names
// them: before, a `lab-pancreas` left without its catalog group, or a new lab row without a panel, was billed with no
// result and the run exited 0.
describe('a lab or imaging row billed by use without its results row', () => {
  const procedure = (key: string, code: string, use: string) => (j: Rows) => {
    j.rows.push({ key, system: 'cpt', code, display: `${key} test`, licensed: true, use, charge: 40, revenue: use === 'lab' ? '0300' : '0320', source: 'test' });
  };
  const billed = 'the claims bill it by use, so it would have no result';
  it.each([
    [
      "a catalog/labs.json group whose tests are all deleted (pancreas: no condition names them)",
      { 'catalog/labs.json': (j: Rows) => (j.rows = j.rows.filter((r) => r.group !== 'pancreas')) },
      `code-maps/professional-procedures.json: 'lab-pancreas': a test of use 'lab', which labs.json does not have (nor a catalog/labs.json group, nor labs-clinical-results.json): ${billed}`,
    ],
    [
      'a lab row added to professional-procedures.json with no panel',
      { 'professional-procedures.json': procedure('bmp', '80048', 'lab') },
      `code-maps/professional-procedures.json: 'bmp': a test of use 'lab', which labs.json does not have (nor a catalog/labs.json group, nor labs-clinical-results.json): ${billed}`,
    ],
    [
      'an imaging row added with no result or report',
      { 'professional-procedures.json': procedure('ct-head', '70450', 'imaging') },
      `code-maps/professional-procedures.json: 'ct-head': a test of use 'imaging', which labs-clinical-results.json does not have (nor planning-reports.json): ${billed}`,
    ],
  ] as [string, Record<string, (json: Rows) => void>, string][])('%s stops the load', (_what, edits, message) => {
    const error = thrown(() => loadCodeMaps(copyWith(edits)));
    expect(error).toBeInstanceOf(UserError);
    expect(placeless(error.message)).toBe(message);
  });
});

// A fee-schedule code with no procedure row, or a revenue rate with no revenue code, is a typo: the real code fell back
// to its row's charge ($30 a revenue line, weight 0.2 a stay line) and the run exited 0.
describe('a pricing.json code no table has', () => {
  type Pricing = Record<string, { codes: Record<string, number> }>;
  const renamed = (section: string, from: string, to: string) => (j: Rows) => {
    const codes = (j as unknown as Pricing)[section]!.codes;
    expect(codes[from]).toBeDefined();
    codes[to] = codes[from]!;
    delete codes[from];
  };
  it.each([
    ['rvus', '99213', '99231', "names a code that professional-procedures.json does not have (nor catalog/hcpcs.json)"],
    ['opps', '99283', '99238', "names a code that professional-procedures.json does not have (nor catalog/hcpcs.json)"],
    ['revenueCodes', '0250', '0205', "names a revenue code that tables.json's revenue table does not have"],
    ['inpatientWeights', '0120', '0102', "names a revenue code that tables.json's revenue table does not have"],
  ])('%s: %s typed as %s stops the load', (section, from, to, problem) => {
    const error = thrown(() => loadCodeMaps(copyWith({ 'pricing.json': renamed(section, from, to) })));
    expect(error).toBeInstanceOf(UserError);
    expect(placeless(error.message)).toBe(`code-maps/pricing.json: '${section}.codes.${to}': ${problem}`);
  });

  it('a price for a catalog/hcpcs.json code no condition bills loads', () => {
    const code = (JSON.parse(readFileSync(join(SHIPPED, 'catalog/hcpcs.json'), 'utf8')).rows as { code: string }[])
      .map((r) => r.code)
      .find((c) => !loadCodeMaps(SHIPPED).procedures.has(c) && ![...loadCodeMaps(SHIPPED).procedures.values()].some((r) => r.code === c))!;
    expect(code).toBeDefined();
    const maps = loadCodeMaps(copyWith({ 'pricing.json': (j) => ((j as unknown as Pricing).opps!.codes[code] = 12) }));
    expect(maps.pricing.opps.codes[code]).toBe(12);
  });
});
