// code-maps/ files as a user edits them — a field deleted, blanked or given the wrong type, a number out of its range, a
// table emptied, the rows of a use taken out: each is found when the code maps load, one line naming the file, the row
// and the field (exit 2 from the CLI), where before it was a TypeError at load or halfway through a run (exit 70), or
// went through to nonsense output (exit 0). Found by sweeping every file with such edits through `generate --members
// 25`; one case per kind of fix here. Each case loads the whole code maps (0.3-0.8 s on a busy 2-core machine), so the
// file takes 20-50 s there.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCodeMaps } from '../../src/codemaps/load.js';
import { UserError } from '../../src/util/errors.js';
import { placeless } from '../helpers/placeless.js';

const SHIPPED = resolve('code-maps');
const root = mkdtempSync(join(tmpdir(), 'codemaps-edits-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let copies = 0;

/** The shipped code maps (links to their files) with `file` edited: what loadCodeMaps threw, or undefined. */
function loadWith(file: string, edit: (json: any) => void): Error | undefined {
  const dir = join(root, String(copies++));
  const link = (rel: string) => {
    for (const name of readdirSync(join(SHIPPED, rel))) {
      const path = join(rel, name);
      if (statSync(join(SHIPPED, path)).isDirectory()) {
        mkdirSync(join(dir, path), { recursive: true });
        link(path);
      } else if (path !== file) symlinkSync(join(SHIPPED, path), join(dir, path));
    }
  };
  mkdirSync(dir);
  link('');
  const json = JSON.parse(readFileSync(join(SHIPPED, file), 'utf8'));
  edit(json);
  writeFileSync(join(dir, file), JSON.stringify(json, null, 2));
  try {
    loadCodeMaps(dir);
    return undefined;
  } catch (error) {
    return error as Error;
  }
}

const useRemoved = (use: string) => (j: { rows: { use: string }[] }) => (j.rows = j.rows.filter((r) => r.use !== use));

const cases: [string, string, (json: any) => void, string][] = [
  // A field the loader reads, deleted, blanked or of the wrong type (was a TypeError at load, exit 70).
  ['catalog/conditions.json', 'icd10cm deleted', (j) => delete j.rows[0].icd10cm, 'row 1: icd10cm: missing (expected a non-empty list of objects with a code and a display)'],
  ['catalog/conditions.json', 'procedures.hcpcs deleted', (j) => delete j.rows[0].procedures.hcpcs, 'row 1: procedures.hcpcs: missing (expected a list of texts)'],
  ['catalog/drugs.json', 'rows deleted', (j) => delete j.rows, 'expected a "rows" array'],
  ['catalog/drugs.json', 'refills as text', (j) => (j.rows[0].refills = 'abc'), 'row 1: refills: expected a whole number from 0 to 99, got "abc"'],
  ['catalog/icd10pcs.json', 'axes deleted', (j) => delete j.rows[0].axes, 'row 1: axes: missing (expected an object)'],
  ['catalog/labs.json', 'normal band deleted', (j) => delete j.rows[0].normal, 'row 1: normal: missing (expected an object)'],
  ['catalog/cvx.json', 'rows deleted', (j) => delete j.rows, 'expected a "rows" array'],
  ['allergies.json', 'reactions deleted', (j) => delete j.rows[0].reactions, 'row 1: reactions: missing (expected a list of texts)'],
  ['immunizations.json', 'cvx deleted', (j) => delete j.rows[0].cvx, 'row 1: cvx: missing (expected an object with a code and a display)'],
  ['labs.json', 'analytes deleted', (j) => delete j.rows[0].analytes, 'row 1: analytes: missing (expected a list of objects)'],
  // … or read only when a member is built (was a TypeError mid-run, exit 70).
  ['care-encounter-types.json', 'participantType deleted', (j) => delete j.rows[0].participantType, 'row 1: participantType: missing (expected an object with a code and a display)'],
  ['care-practitioner-roles.json', 'snomed blanked', (j) => (j.rows[0].snomed = { code: '', display: '' }), 'row 1: snomed: expected an object with a code and a display, got {"code":"","display":""}'],
  ['denials.json', 'claimTypes deleted', (j) => delete j.rows[0].claimTypes, 'row 1: claimTypes: missing (expected a non-empty list, each professional, outpatient, inpatient, oral or pharmacy)'],
  ['labs.json', 'panel deleted', (j) => delete j.rows[0].panel, 'row 1: panel: missing (expected an object with a code and a display)'],
  ['labs-clinical-results.json', 'loinc deleted', (j) => delete j.rows[0].loinc, 'row 1: loinc: missing (expected an object with a code and a display)'],
  ['immunizations.json', 'seasonEndMonth as text', (j) => (j.seasonal.seasonEndMonth = 'abc'), 'seasonal: seasonEndMonth: expected a whole number from 1 to 11, got "abc"'],
  ['immunizations.json', 'seasonEndMonth 12 (the season would close in month 13)', (j) => (j.seasonal.seasonEndMonth = 12), 'seasonal: seasonEndMonth: expected a whole number from 1 to 11, got 12'],
  ['visit-reasons.json', 'ageMin as text (was blamed on the profile)', (j) => (j.rows[0].ageMin = 'abc'), 'row 1: ageMin: expected a number from 0 to 120, got "abc"'],
  ['medication-sigs.json', 'an unknown periodUnit', (j) => (j.rows[0].periodUnit = 'month'), "'metformin-500-tab': periodUnit 'month' is not h, d or wk"],
  ['care-procedures.json', 'an unknown system (the row matched nothing)', (j) => (j.rows[0].system = 'icd9'), "'icd9|0SRC0J9': unknown system 'icd9' (cpt, hcpcs or icd10pcs)"],
  ['social-instruments.json', 'phq9.panel deleted', (j) => delete j.phq9.panel, 'phq9: panel: missing (expected an object with a code and a display)'],
  ['social-instruments.json', 'prapare.groups deleted', (j) => delete j.prapare.groups, 'prapare: groups: missing (expected a non-empty list of objects)'],
  ['social-instruments.json', 'ussgFht.genders.female deleted', (j) => delete j.ussgFht.genders.female, 'ussgFht.genders: female: missing (expected an object with a code and a display)'],
  ['social-instruments.json', "phq9's answer scoring 0 taken out", (j) => j.phq9.answers.shift(), "'phq9.answers': no answer scores 0 (each item scores 0-3)"],
  ['social-instruments.json', 'a tenth phq9 item', (j) => j.phq9.items.push({ ...j.phq9.items[0] }), "'phq9.items': 10 items: the PHQ-9 has 9"],
  ['social-values.json', 'a value the story names taken out', (j) => j.rows.shift(), "'observation-code/functional-status': is missing (fhirseed uses it)"],
  ['prior-auth-rentals.json', 'continues as text (compared as a number, it passed)', (j) => (j.rows[0].continues = '0.5'), 'row 1: continues: expected a number from 0 to 1, got "0.5"'],
  // A row copied and its key left as it was (the last one silently won).
  ['allergies.json', 'a row twice', (j) => j.rows.push({ ...j.rows[0] }), "row 6: 'penicillin' is also row 1"],
  ['immunizations.json', 'a schedule row twice', (j) => j.schedule.push({ ...j.schedule[0], share: 0.5 }), "schedule row 43: 'hepb-pediatric dose 1' is also schedule row 1"],
  ['catalog/hcpcs.json', 'a code twice', (j) => j.rows.push({ ...j.rows[0], shortDescriptor: 'copy' }), "row 91: 'A0425' is also row 1"],
  // A table emptied, or the rows of a use the story picks from taken out (was an Error mid-run, exit 70).
  ['denials.json', 'emptied', (j) => (j.rows = []), 'has no rows (fhirseed needs at least one)'],
  ['care-implants.json', 'emptied', (j) => (j.rows = []), "'rows': no row places an implant at an operation of a condition of catalog/conditions.json (one is needed)"],
  ['dental.json', 'its periodontal row taken out', useRemoved('periodontal'), "'periodontal': no row of this use (fhirseed needs one)"],
  ['nucc-taxonomy.json', 'its ambulance row taken out', useRemoved('ambulance'), "'ambulance': no row of this use (fhirseed needs one)"],
  ['professional-procedures.json', 'its mileage row taken out', (j) => (j.rows = j.rows.filter((r: { display: string }) => !/mileage/i.test(r.display))), "'ambulance': needs a transport row and a mileage row ('mileage' in its display)"],
  ['professional-procedures.json', 'an unknown system', (j) => (j.rows[0].system = 'cdt'), "'ov-est-2': unknown system 'cdt' (cpt or hcpcs)"],
  // A number out of its field's range: negative, a fraction where it counts, above 1 where it is a share (went through
  // to exit 0 with negative charges, fill counts of 1.5, dates such as '2021.5-03-04' or draws on negative weights).
  ['professional-procedures.json', 'a negative charge', (j) => (j.rows[0].charge = -5), 'row 1: charge: expected a number from 0 to 1000000, got -5'],
  ['professional-procedures.json', 'a charge past any one line (a slipped decimal)', (j) => (j.rows[0].charge = 14_500_000), 'row 1: charge: expected a number from 0 to 1000000, got 14500000'],
  ['dental.json', 'a negative charge', (j) => (j.rows[0].charge = -1), 'row 1: charge: expected a number from 0 to 1000000, got -1'],
  ['visit-reasons.json', 'a negative age', (j) => (j.rows[0].ageMin = -1), 'row 1: ageMin: expected a number from 0 to 120, got -1'],
  ['catalog/drugs.json', 'refills 1.5', (j) => (j.rows[0].refills = 1.5), 'row 1: refills: expected a whole number from 0 to 99, got 1.5'],
  ['catalog/drugs.json', 'a days supply of 1.5', (j) => (j.rows[0].daysSupply = 1.5), 'row 1: daysSupply: expected a whole number ≥ 1, got 1.5'],
  ['catalog/conditions.json', 'negative visits a year', (j) => (j.rows[0].visitsPerYear = -1), 'row 1: visitsPerYear: expected a number ≥ 0, got -1'],
  ['catalog/conditions.json', "a variant's share above 1", (j) => (j.rows[3].variantOf.share = 1.5), 'row 4: variantOf.share: expected a number from 0 to 1, got 1.5'],
  ['catalog/hcpcs.json', 'a negative payment rate', (j) => (j.rows[0].paymentRate = -1), 'row 1: paymentRate: expected a number ≥ 0, got -1'],
  ['catalog/ms-drg.json', 'a negative weight', (j) => (j.rows[0].weight = -1), 'row 1: weight: expected a number from 0 to 100, got -1'],
  // A weight no MS-DRG has: the stay's dollars (weight × $) ran to 1e304 (exit 0), Infinity past it. 1e-300 is fine
  // (test/story/drg-weights.test.ts).
  ['catalog/ms-drg.json', 'a weight of 1e300', (j) => (j.rows[0].weight = 1e300), 'row 1: weight: expected a number from 0 to 100, got 1e+300'],
  ['catalog/labs.json', 'a negative normal band', (j) => (j.rows[0].normal.low = -1), 'row 1: normal.low: expected a number ≥ 0, got -1'],
  ['catalog/labs.json', "a condition's band negative (was blamed on labs.json)", (j) => (j.rows[1].abnormal.esrd.low = -1), "'2823-3' abnormal 'esrd': low: expected a number ≥ 0, got -1"],
  ['allergies.json', 'a share above 1', (j) => (j.rows[0].share = 1.5), 'row 1: share: expected a number from 0 to 1, got 1.5'],
  ['care-implants.json', 'a shelf life of 1.5 years', (j) => (j.rows[0].shelfLifeYears = 1.5), 'row 1: shelfLifeYears: expected a whole number from 1 to 100, got 1.5'],
  ['immunizations.json', 'a negative schedule share', (j) => (j.schedule[0].share = -1), 'schedule row 1: share: expected a number from 0 to 1, got -1'],
  ['immunizations.json', 'an age of 1.5 months', (j) => (j.schedule[0].ageMaxMonths = 1.5), 'schedule row 1: ageMaxMonths: expected a whole number from 0 to 1440, got 1.5'],
  ['labs.json', 'an analyte with 1.5 decimals', (j) => (j.rows[0].analytes[0].decimals = 1.5), "'hba1c' analytes row 1: decimals: expected a whole number from 0 to 6, got 1.5"],
  ['labs-clinical-results.json', 'a negative normal band', (j) => (j.rows[1].quantity.normal.low = -1), 'row 2: quantity.normal.low: expected a number ≥ 0, got -1'],
  ['labs-clinical-results.json', 'a normal band ending below its start', (j) => (j.rows[1].quantity.normal.high = 1.5), "'spirometry': band 70-1.5 is empty"],
  ['vitals.json', 'a negative age', (j) => (j.rows[1].ranges[0].ageMin = -1), "'systolic' ranges row 1: ageMin: expected a number from 0 to 120, got -1"],
  ['medication-sigs.json', 'a frequency of 1.5', (j) => (j.rows[0].frequency = 1.5), 'row 1: frequency: expected a whole number ≥ 1, got 1.5'],
  ['planning-goals.json', 'a negative target', (j) => (j.rows[0].detail.value = -1), 'row 1: detail.value: expected a number ≥ 0, got -1'],
  ['social-instruments.json', 'a PHQ-9 answer scoring 1.5', (j) => (j.phq9.answers[1].score = 1.5), 'phq9.answers row 2: score: expected a whole number from 0 to 3, got 1.5'],
  ['social-instruments.json', 'a negative TAPS weight', (j) => (j.taps.answers[0].drinking = -1), 'taps.answers row 1: drinking: expected a number ≥ 0, got -1'],
  ['social-instruments.json', 'a negative day weight', (j) => (j.evs.dayWeights[0] = -1), 'evs: dayWeights: expected a list of numbers ≥ 0, got [-1,7,11,14,10,11,5,17]'],
  ['social-instruments.json', 'a household size drawn from 1.5', (j) => (j.prapare.groups[1].questions[0].range.min = 1.5), "'prapare/63512-8': integer question with a range not of whole numbers"],
  ['social-instruments.json', 'an income range ending before it starts', (j) => (j.prapare.groups[2].questions[3].range.max = 100), "'prapare/63586-2': range 12000-100 ends before it starts"],
  // A value of an enumeration the code compares against, mistyped (went through to exit 0: a patient-owed denial
  // written off, a denial never drawn for its claim type, a severe reaction told as mild, a FHIR code outside its
  // required value set).
  ['denials.json', "an adjustment group 'XX'", (j) => (j.rows[2].group = 'XX'), 'row 3: group: expected CO, OA, PI or PR, got "XX"'],
  ['denials.json', "the adjustment group 'pr' in lower case", (j) => (j.rows[2].group = 'pr'), 'row 3: group: expected CO, OA, PI or PR, got "pr"'],
  ['denials.json', "a claim type 'profesional'", (j) => (j.rows[0].claimTypes = ['inpatient', 'profesional']), 'row 1: claimTypes: expected a non-empty list, each professional, outpatient, inpatient, oral or pharmacy, got "profesional"'],
  ['denials.json', 'no claim type', (j) => (j.rows[0].claimTypes = []), 'row 1: claimTypes: expected a non-empty list, each professional, outpatient, inpatient, oral or pharmacy, got []'],
  ['allergies.json', "a reaction severity 'sever'", (j) => (j.manifestations[0].severity = 'sever'), 'manifestations row 1: severity: expected mild, moderate or severe, got "sever"'],
  ['allergies.json', "a criticality 'High'", (j) => (j.rows[0].criticality = 'High'), 'row 1: criticality: expected low, high or unable-to-assess, got "High"'],
  ['allergies.json', "a category 'drug'", (j) => (j.rows[0].category = 'drug'), 'row 1: category: expected food, medication, environment or biologic, got "drug"'],
  ['social-instruments.json', "a PRAPARE question type 'choise'", (j) => (j.prapare.groups[0].questions[0].type = 'choise'), 'prapare.groups[1].questions row 1: type: expected choice, integer, decimal or string, got "choise"'],
  ['social-instruments.json', "a PRAPARE derivation 'races'", (j) => (j.prapare.groups[0].questions[0].derive = 'races'), 'prapare.groups[1].questions row 1: derive: expected race, ethnicity, language, insurance or address, got "races"'],
  ['social-instruments.json', "a relative's sex 'M'", (j) => (j.ussgFht.relatives[0].sex = 'M'), 'ussgFht.relatives row 1: sex: expected male or female, got "M"'],
  // An age window whose start is after its end (no member fits it: the row was never drawn, exit 0).
  ['professional-procedures.json', 'ageMin above ageMax', (j) => (j.rows[10].ageMin = 70), 'row 11: ageMin 70 is above ageMax 39'],
  ['visit-reasons.json', 'ageMin above ageMax', (j) => (j.rows[0].ageMax = 17), 'row 1: ageMin 18 is above ageMax 17'],
  ['vitals.json', 'a range with ageMin above ageMax', (j) => (j.rows[1].ranges[0].ageMin = 70), "'systolic' ranges row 1: ageMin 70 is above ageMax 2"],
  ['immunizations.json', 'a schedule row with ageMinMonths above ageMaxMonths', (j) => (j.schedule[0].ageMinMonths = 2), 'schedule row 1: ageMinMonths 2 is above ageMaxMonths 1'],
  // A list one is drawn from by weight with no weight above 0 (the draw returned its last item, exit 0).
  ['social-instruments.json', 'every TAPS drinking weight 0', (j) => j.taps.answers.forEach((a: { drinking: number }) => (a.drinking = 0)), "'taps/answers': no answer has a drinking weight above 0 (the drinking answer is drawn by them)"],
  ['social-values.json', 'every sexual-orientation weight 0', (j) => j.rows.filter((r: { group: string }) => r.group === 'sexual-orientation').forEach((r: { weight: number }) => (r.weight = 0)), "'sexual-orientation': every weight is 0 (fhirseed draws one by them)"],
  ['social-values.json', "teenagers' smoking statuses weighted 0", (j) => j.rows.filter((r: { key: string }) => ['never', 'some-day', 'former'].includes(r.key)).forEach((r: { weight: number }) => (r.weight = 0)), "'smoking-status/never,some-day,former': every weight is 0 (fhirseed draws one by them)"],
  ['social-values.json', "the occupation 'cna' taken out (drawn alone: the draw returned undefined, exit 70)", (j) => (j.rows = j.rows.filter((r: { key: string }) => r.key !== 'cna')), "'occupation/cna': is missing (fhirseed uses it)"],
  ['social-values.json', 'a negative weight', (j) => (j.rows[4].weight = -1), 'row 5: weight: expected a number ≥ 0, got -1'],
  // A list one is picked from, emptied (Rng.pick from an empty list mid-run, exit 70).
  ['labs-clinical-results.json', "an ECG's findings under a condition emptied", (j) => (j.rows.find((r: { key: string }) => r.key === 'ecg').conditionFindings['atrial-fibrillation'] = []), `"'ecg' conditionFindings 'atrial-fibrillation'" is empty (fhirseed needs at least one)`],
  // A row the builders name, taken out (the claims or resources went without the code, exit 0).
  ['visit-reasons.json', "'dental-exam' taken out (every dental claim lost its diagnosis)", (j) => (j.rows = j.rows.filter((r: { key: string }) => r.key !== 'dental-exam')), "'dental-exam': is missing (fhirseed uses it)"],
  ['visit-reasons.json', "'child-exam' taken out (a child's preventive-visit diagnosis)", (j) => (j.rows = j.rows.filter((r: { key: string }) => r.key !== 'child-exam')), "'child-exam': is missing (fhirseed uses it)"],
  ['care-practitioner-roles.json', "'pharmacist' taken out (pharmacists' PractitionerRole lost its SNOMED CT code)", (j) => (j.rows = j.rows.filter((r: { role: string }) => r.role !== 'pharmacist')), "'pharmacist': every practitioner role needs a row"],
  // A key naming a row of another table, mistyped (those members took the fallback, exit 0).
  ['social-instruments.json', 'a TAPS tobacco answer keyed by a smoking status social-values.json lacks (every-day smokers answered "never")', (j) => {
    j.taps.tobaccoBySmokingStatus['449868003'] = j.taps.tobaccoBySmokingStatus['449868002'];
    delete j.taps.tobaccoBySmokingStatus['449868002'];
  }, "'taps/tobaccoBySmokingStatus': names smoking status '449868003', which social-values.json's smoking-status group does not have"],
];

describe('code maps edited by a user', () => {
  it('should load the shipped code maps through the same links', () => {
    expect(loadWith('tables.json', () => undefined)).toBeUndefined();
  });

  for (const [file, what, edit, problem] of cases) {
    it(`should reject ${file} with ${what} at load, naming the file, row and field`, () => {
      const error = loadWith(file, edit);
      expect(error).toBeInstanceOf(UserError);
      expect(placeless(error?.message ?? '')).toBe(`code-maps/${file}: ${problem}`);
    });
  }
});
