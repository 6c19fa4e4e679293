// Each kind of code-maps mistake a user can make by editing the installed fhirseed's code-maps/ (README "Editing
// code-maps"), through `fhirseed generate` in this process: one line naming file:line:column of the field at fault (a
// row that is not there: the `rows` list it belongs in), exit 2, nothing written. The CLI reads code-maps/ beside
// the package; loadCodeMaps' default folder is pointed at each case's copy (every other file a link to the shipped one).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCliCaptured } from '../helpers/run-cli-captured.js';

const state = vi.hoisted(() => ({ dir: '' }));
vi.mock('../../src/codemaps/load.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/codemaps/load.js')>();
  return { ...actual, loadCodeMaps: (dir?: string) => actual.loadCodeMaps(dir ?? state.dir) };
});

const SHIPPED = resolve('code-maps');
const temp = mkdtempSync(join(tmpdir(), 'codemaps-edit-places-'));
afterAll(() => rmSync(temp, { recursive: true, force: true }));
// The CLI's first run imports and transforms its modules: minutes on a loaded machine, not one case's time.
beforeAll(() => runCliCaptured(['generate', '--help']), 300_000);

/** A code-maps/ folder of links to the shipped files, but `file`, written as `text`. */
function folderWith(name: string, file: string, text: string): string {
  const dir = join(temp, name.replace(/\W+/g, '-'));
  const link = (from: string, to: string) => {
    mkdirSync(to, { recursive: true });
    for (const entry of readdirSync(from)) {
      if (statSync(join(from, entry)).isDirectory()) link(join(from, entry), join(to, entry));
      else if (join(to, entry) !== join(dir, file)) symlinkSync(join(from, entry), join(to, entry));
    }
  };
  link(SHIPPED, dir);
  writeFileSync(join(dir, file), text);
  return dir;
}

/** `line:column` (1-based) of `needle` in `text`, the first after `after`, `skip` characters on. */
function where(text: string, needle: string, after = '', skip = 0): string {
  const from = text.indexOf(after);
  const offset = text.indexOf(needle, from);
  if (from < 0 || offset < 0) throw new Error(`'${needle}' (after '${after}') is not in the text`);
  const lines = text.slice(0, offset + skip).split('\n');
  return `${lines.length}:${lines.at(-1)!.length + 1}`;
}

interface Case {
  /** What the user did. */
  name: string;
  file: string;
  /** The edit: the first `from` (a string or a pattern) becomes `to`. */
  from: string | RegExp;
  to: string;
  /** Where the line points: `needle` in the edited file (or in the shipped file `in`), the first after `after`, `skip` characters on. */
  at: { in?: string; needle: string; after?: string; skip?: number };
  /** The line after `code-maps/FILE:LINE:COLUMN: ` (FILE: `at.in`, else `file`). */
  message: string;
}

const ROWS = { needle: '[', after: '"rows"' };

const CASES: Case[] = [
  // social-values.json
  { name: 'an unknown social group', file: 'social-values.json', from: '"group": "observation-code", "key": "cognitive-status"', to: '"group": "observation-kode", "key": "cognitive-status"', at: { needle: '"observation-kode"' }, message: "'observation-kode/cognitive-status': unknown group 'observation-kode'" },
  { name: 'an unknown social code system', file: 'social-values.json', from: '"key": "cognitive-status", "system": "loinc"', to: '"key": "cognitive-status", "system": "loink"', at: { needle: '"loink"' }, message: "'observation-code/cognitive-status': unknown code system 'loink' (see src/fhir/systems.ts)" },
  { name: 'a social key twice in a group', file: 'social-values.json', from: '"key": "cognitive-status"', to: '"key": "functional-status"', at: { needle: '"functional-status", "system": "loinc", "code": "11332-4"' }, message: "'observation-code/functional-status': duplicate key" },
  { name: 'a social value fhirseed names renamed', file: 'social-values.json', from: '"key": "cna"', to: '"key": "cnaa"', at: ROWS, message: "'occupation/cna': is missing (fhirseed uses it)" },
  { name: 'the one drawn occupation weighted 0', file: 'social-values.json', from: '"key": "cna", "system"', to: '"key": "cna", "weight": 0, "system"', at: { needle: '0, "system"', after: '"cna"' }, message: "'occupation/cna': every weight is 0 (fhirseed draws one by them)" },
  // social-instruments.json
  { name: 'an instrument LOINC code with a wrong check digit', file: 'social-instruments.json', from: '"code": "96842-0"', to: '"code": "96842-1"', at: { needle: '"96842-1"' }, message: "'taps': '96842-1' is not a LOINC code" },
  { name: 'a TAPS smoking status the social values lack', file: 'social-instruments.json', from: '"449868002": 0', to: '"449868003": 0', at: { needle: '0,', after: '"449868003"' }, message: "'taps/tobaccoBySmokingStatus': names smoking status '449868003', which social-values.json's smoking-status group does not have" },
  { name: 'a TAPS smoking status naming no answer', file: 'social-instruments.json', from: '"428041000124106": 1', to: '"428041000124106": 9', at: { needle: '9', after: '"428041000124106"' }, message: "'taps/tobaccoBySmokingStatus': no answer 9" },
  { name: 'a PRAPARE number question without its range', file: 'social-instruments.json', from: ',\n            "range": {"min": 1, "max": 6, "step": 1}', to: '', at: { needle: '{\n            "code": "63512-8"' }, message: "'prapare/63512-8': numeric question without a range" },
  { name: 'a PRAPARE range that ends before it starts', file: 'social-instruments.json', from: '{"min": 1, "max": 6, "step": 1}', to: '{"min": 7, "max": 6, "step": 1}', at: { needle: '6, "step"', after: '"min": 7' }, message: "'prapare/63512-8': range 7-6 ends before it starts" },
  { name: 'seven exercise day weights', file: 'social-instruments.json', from: '[25, 7, 11, 14, 10, 11, 5, 17]', to: '[25, 7, 11, 14, 10, 11, 5]', at: { needle: '[25, 7' }, message: "'evs/dayWeights': want eight weights (0–7 days), some day above 0 weighted" },
  // medication-sigs.json
  { name: 'a sig for a drug the catalog lacks', file: 'medication-sigs.json', from: '"drugKey": "metformin-500-tab"', to: '"drugKey": "metformin-500-tabs"', at: { needle: '"metformin-500-tabs"' }, message: "'metformin-500-tabs': is not a drug of code-maps/catalog/drugs.json" },
  { name: 'a medication code of an unknown system', file: 'medication-sigs.json', from: '"system": "medicationRequestCategory"', to: '"system": "medicationRequestKategory"', at: { needle: '"medicationRequestKategory"' }, message: "'requestCategory': needs a code with a known system and a source" },
  // immunizations.json
  { name: 'a vaccine dose given twice in the schedule', file: 'immunizations.json', from: '"dose": 2,', to: '"dose": 1,', at: { needle: '1,\n      "ageMinMonths": 1,\n      "ageMaxMonths": 3' }, message: "schedule row 2: 'hepb-pediatric dose 1' is also schedule row 1" },
  { name: 'a schedule row naming a vaccine the rows lack', file: 'immunizations.json', from: '"vaccine": "hepb-pediatric",', to: '"vaccine": "hepb-pediatrix",', at: { needle: '"hepb-pediatrix"' }, message: "'hepb-pediatrix dose 1': names a vaccine the rows do not have" },
  { name: 'a seasonal high-dose vaccine the rows lack', file: 'immunizations.json', from: '"highDoseVaccine": "influenza-high-dose"', to: '"highDoseVaccine": "influenza-highdose"', at: { needle: '"influenza-highdose"' }, message: "'seasonal': needs a source and vaccines the rows have" },
  { name: 'a not-done reason of an unknown system', file: 'immunizations.json', from: '"system": "v3ActReason"', to: '"system": "v3ActReasons"', at: { needle: '"v3ActReasons"' }, message: "'patient-objection': needs a source and a known system" },
  // allergies.json
  { name: 'an allergy naming a reaction the manifestations lack', file: 'allergies.json', from: '"reactions": ["urticaria", "anaphylaxis"]', to: '"reactions": ["urticaria", "anaphylaxy"]', at: { needle: '"anaphylaxy"' }, message: "'penicillin': names reaction 'anaphylaxy', which the manifestations do not have" },
  { name: 'an allergy key twice', file: 'allergies.json', from: '"key": "sulfonamide"', to: '"key": "penicillin"', at: { needle: '"penicillin"', after: '"share": 0.1' }, message: "row 2: 'penicillin' is also row 1" },
  { name: 'a manifestation key twice', file: 'allergies.json', from: '"key": "urticaria", "code"', to: '"key": "skin-rash", "code"', at: { needle: '"skin-rash", "code": "126485001"' }, message: "manifestations row 2: 'skin-rash' is also manifestations row 1" },
  { name: 'the no-known-allergy row made an allergy without its fields', file: 'allergies.json', from: '"noKnownAllergy": true', to: '"noKnownAllergy": false', at: { needle: '{ "key": "no-known-allergy"' }, message: "'no-known-allergy': needs category, criticality and reactions" },
  { name: 'the no-known-allergy row deleted', file: 'allergies.json', from: /,\n {4}\{ "key": "no-known-allergy"[^\n]*/, to: '', at: ROWS, message: `'no-known-allergy': a "no known allergy" row is required` },
  // planning-*.json
  { name: 'a goal for a condition the catalog lacks', file: 'planning-goals.json', from: '"key": "obesity", "text"', to: '"key": "obesityy", "text"', at: { needle: '"obesityy"' }, message: "'obesityy': is not a condition key of conditions.json" },
  { name: 'a care-team role fhirseed names renamed', file: 'planning-careteam-roles.json', from: '"key": "caregiver"', to: '"key": "carer"', at: ROWS, message: "'caregiver': role row is required" },
  { name: 'a care-team taxonomy the NUCC table lacks', file: 'planning-careteam-roles.json', from: '"207Q00000X"', to: '"207Q00000Y"', at: { needle: '"207Q00000Y"' }, message: "'primary-care': taxonomies names '207Q00000Y', which nucc-taxonomy.json does not have" },
  { name: 'a note type fhirseed names renamed', file: 'planning-notes.json', from: '"key": "laboratory"', to: '"key": "lab"', at: ROWS, message: "'laboratory': note type row is required" },
  { name: 'a report for a procedure the table lacks', file: 'planning-reports.json', from: '"key": "chest-xray"', to: '"key": "chest-xrays"', at: { needle: '"chest-xrays"' }, message: "'chest-xrays': is not a procedure key of professional-procedures.json" },
  { name: 'a pathology category that is no LOINC part', file: 'planning-reports.json', from: '"code": "LP7839-6"', to: '"code": "LP7839"', at: { needle: '"LP7839"' }, message: "'pathology': needs a LOINC part category, LOINC code and document type, and a source" },
  // catalog/
  { name: "variants sharing all of their head's members", file: 'catalog/conditions.json', from: '"key": "diabetes-type-2",\n        "share": 0.12', to: '"key": "diabetes-type-2",\n        "share": 1', at: { needle: '1', after: '"key": "diabetes-type-2",\n        "share": ' }, message: "'diabetes-type-2': its variants share 1 or more of its members" },
  // professional-procedures.json and the results tables
  { name: "a condition's visit test made a lab with no results row", file: 'professional-procedures.json', from: '"use": "therapy"', to: '"use": "lab"', at: { in: 'catalog/conditions.json', needle: '"psychotherapy-45"', after: '"key": "depression"' }, message: "'depression': visitTests names 'psychotherapy-45', which labs.json does not have (nor labs-clinical-results.json)" },
  { name: 'an office visit made imaging with no results row', file: 'professional-procedures.json', from: /("key": "ov-est-4",[\s\S]*?"use": )"[a-z-]+"/, to: '$1"imaging"', at: { needle: '"imaging"', after: '"key": "ov-est-4"' }, message: "'ov-est-4': a test of use 'imaging', which labs-clinical-results.json does not have (nor planning-reports.json): the claims bill it by use, so it would have no result" },
  { name: 'a lab band for a condition the catalog lacks', file: 'labs.json', from: '"conditions": {\n      "diabetes-type-2"', to: '"conditions": {\n      "diabetes-typ-2"', at: { needle: '{', after: '"diabetes-typ-2"' }, message: "'hba1c': names condition 'diabetes-typ-2', which conditions.json does not have" },
  { name: 'findings for a condition the catalog lacks', file: 'labs-clinical-results.json', from: '"atrial-fibrillation": [', to: '"atrial-fibrilation": [', at: { needle: '[', after: '"atrial-fibrilation"' }, message: "'ecg': names condition 'atrial-fibrilation', which conditions.json does not have" },
  { name: 'a vital sign fhirseed names renamed', file: 'vitals.json', from: '"key": "blood-pressure"', to: '"key": "blood-pressures"', at: ROWS, message: "'blood-pressure': is missing" },
  // care-*.json
  { name: 'a visit kind renamed', file: 'care-encounter-types.json', from: '"kind": "dental"', to: '"kind": "dentist"', at: ROWS, message: "'dental': every visit kind needs a row" },
  { name: 'a condition category for a condition the catalog lacks', file: 'care-condition-categories.json', from: '"key": "obesity", "healthConcern"', to: '"key": "obesityy", "healthConcern"', at: { needle: '"obesityy"' }, message: "'obesityy': conditions.json has no such condition" },
  // visit-reasons.json, dental.json
  { name: 'a visit reason fhirseed names renamed', file: 'visit-reasons.json', from: '"key": "adult-exam"', to: '"key": "adult-exams"', at: ROWS, message: "'adult-exam': is missing (fhirseed uses it)" },
  { name: 'the only periodontal row given another use', file: 'dental.json', from: '"use": "periodontal"', to: '"use": "perio"', at: ROWS, message: "'periodontal': no row of this use (fhirseed needs one)" },
  // prior-auth-*.json
  { name: 'a prior-auth range of an unknown kind', file: 'prior-auth-services.json', from: '"kind": "advanced-imaging"', to: '"kind": "advanced-imagin"', at: { needle: '"advanced-imagin"' }, message: "'row 1': unknown kind 'advanced-imagin' (advanced-imaging or dme)" },
  { name: 'a prior-auth range that ends before it starts', file: 'prior-auth-services.json', from: '"to": "70498"', to: '"to": "70400"', at: { needle: '"70400"' }, message: "'row 2': 70450-70400 ends before it starts" },
  { name: 'a rental that is no DME range', file: 'prior-auth-rentals.json', from: '"hcpcs": "E0601"', to: '"hcpcs": "A0021"', at: { needle: '"A0021"' }, message: "'A0021': not durable medical equipment of prior-auth-services.json" },
  { name: 'a rental code twice', file: 'prior-auth-rentals.json', from: '"hcpcs": "E0470"', to: '"hcpcs": "E0601"', at: { needle: '"E0601"', after: '"renewalDays"' }, message: "duplicate key 'E0601'" },
  // tables.json
  { name: 'a code twice in a table', file: 'tables.json', from: /(No Product Selection Indicated"\n\s*\},\n\s*\{\n\s*"code": )"1"/, to: '$1"0"', at: { needle: '"0"', after: 'No Product Selection Indicated' }, message: "table 'daw' code row 2: code '0' is also code row 1" },
];

describe('a code-maps mistake, through generate: file:line:column of the field at fault, exit 2, nothing written', () => {
  for (const c of CASES) {
    it(`should point ${c.name} at its place`, async () => {
      const shipped = readFileSync(join(SHIPPED, c.file), 'utf8');
      const text = shipped.replace(c.from, c.to);
      expect(text, 'the edit applies').not.toBe(shipped);
      state.dir = folderWith(c.name, c.file, text);
      const out = join(temp, `out-${c.name.replace(/\W+/g, '-')}`);
      const result = await runCliCaptured(['generate', '--members', '1', '--jobs', '1', '--out', out]);
      const [file, in_] = c.at.in ? [c.at.in, readFileSync(join(SHIPPED, c.at.in), 'utf8')] : [c.file, text];
      expect(result.stderr).toBe(`fhirseed: code-maps/${file}:${where(in_, c.at.needle, c.at.after, c.at.skip)}: ${c.message}\n`);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(existsSync(out)).toBe(false);
    });
  }
});
