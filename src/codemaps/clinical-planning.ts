import { isValidLoinc } from '../util/check-digits.js';
import { MEASURE } from './fields.js';
import type { CodeMapReader } from './load.js';
import type { ClaimsCodeMaps, Coded, SourcedRow } from './types.js';

export interface GoalRow extends SourcedRow {
  /** Condition key (conditions.json). */
  key: string;
  text: string;
  /** LOINC measure the goal is described by. */
  measure: Coded;
  /** Target value in UCUM, when the goal has a number. */
  detail?: { comparator: '<' | '<=' | '>' | '>='; value: number; unit: string; ucum: string };
  dueMonths: number;
}

export interface CareTeamRoleRow extends SourcedRow {
  key: 'primary-care' | 'cardiologist' | 'patient' | 'caregiver' | string;
  /** NUCC taxonomy codes of practitioners who take this role. */
  taxonomies: string[];
  code: string;
  display: string;
}

export interface NoteTypeRow extends SourcedRow {
  key: 'progress' | 'consult' | 'discharge' | 'history-physical' | 'procedure' | 'laboratory' | string;
  code: string;
  display: string;
}

export interface ReportRow extends SourcedRow {
  /** Procedure key (professional-procedures.json). */
  key: string;
  category: Coded;
  code: Coded;
  impression: Coded;
  /** observation-category code of the impression. */
  observationCategory: 'imaging' | 'procedure';
  finding: string;
  /** Clinical note type (LOINC) the report is also published as, a DocumentReference sharing its attachment. */
  document?: Coded;
}

/** The surgical pathology report of tissue removed at an operation (a DiagnosticReport and its document). */
export interface PathologyReportRow extends SourcedRow {
  category: Coded;
  code: Coded;
  document: Coded;
}

export interface PlanningCodeMaps {
  goals: Map<string, GoalRow>;
  careTeamRoles: Map<string, CareTeamRoleRow>;
  noteTypes: Map<string, NoteTypeRow>;
  noteFormat: Coded & SourcedRow;
  reports: Map<string, ReportRow>;
  pathology: PathologyReportRow;
}


const LOINC_PART = /^LP\d+-\d$/;

export function loadPlanningCodeMaps(reader: CodeMapReader, claims: ClaimsCodeMaps): PlanningCodeMaps {
  const goals = reader.index<GoalRow>('planning-goals.json', (r) => r.key, {
    key: 'text', text: 'text', measure: 'coded', detail: 'object?', 'detail.comparator': 'text', 'detail.value': MEASURE, 'detail.unit': 'text', 'detail.ucum': 'text',
    dueMonths: 'number >0',
  });
  for (const [key, g] of goals) {
    if (!claims.conditions.has(key)) reader.fail('planning-goals.json', key, 'is not a condition key of conditions.json', 'key');
    if (!isValidLoinc(g.measure.code)) reader.fail('planning-goals.json', key, `'${g.measure.code}' is not a LOINC code`, 'measure.code');
  }
  const careTeamRoles = reader.index<CareTeamRoleRow>('planning-careteam-roles.json', (r) => r.key, { key: 'text', taxonomies: 'texts', code: 'text', display: 'text' });
  for (const key of ['primary-care', 'patient', 'caregiver']) {
    if (!careTeamRoles.has(key)) reader.failAt('planning-careteam-roles.json', key, 'role row is required', ['rows']);
  }
  const noteTypes = reader.index<NoteTypeRow>('planning-notes.json', (r) => r.key, { key: 'text', code: 'text', display: 'text' });
  for (const key of ['progress', 'consult', 'discharge', 'history-physical', 'procedure', 'laboratory']) {
    const row = noteTypes.get(key);
    if (!row) reader.failAt('planning-notes.json', key, 'note type row is required', ['rows']);
    else if (!isValidLoinc(row.code)) reader.fail('planning-notes.json', key, `'${row.code}' is not a LOINC code`, 'code');
  }
  const noteFormat = reader.read<{ format?: Coded & SourcedRow }>('planning-notes.json').format;
  if (!noteFormat?.source) reader.failAt('planning-notes.json', 'format', 'needs a format code with a source', ['format', 'source']);
  reader.object('planning-notes.json', noteFormat, 'format', { code: 'text', display: 'text' });
  const reports = reader.index<ReportRow>('planning-reports.json', (r) => r.key, {
    key: 'text', category: 'coded', code: 'coded', impression: 'coded', observationCategory: 'text', finding: 'text', document: 'coded?',
  });
  for (const [key, r] of reports) {
    if (!claims.procedures.has(key)) reader.fail('planning-reports.json', key, 'is not a procedure key of professional-procedures.json', 'key');
    if (!LOINC_PART.test(r.category.code)) reader.fail('planning-reports.json', key, `'${r.category.code}' is not a LOINC part`, 'category.code');
    for (const c of [r.code, r.impression, ...(r.document ? [r.document] : [])]) if (!isValidLoinc(c.code)) reader.fail('planning-reports.json', key, `'${c.code}' is not a LOINC code`, 'code', c);
  }
  const pathology = reader.object<PathologyReportRow>('planning-reports.json', reader.read<{ pathology?: unknown }>('planning-reports.json').pathology, 'pathology', {
    category: 'coded', code: 'coded', document: 'coded',
  });
  const pathologyMiss = !pathology.source ? 'source'
    : !LOINC_PART.test(pathology.category.code) ? 'category.code'
    : !isValidLoinc(pathology.code.code) ? 'code.code'
    : !isValidLoinc(pathology.document.code) ? 'document.code' : undefined;
  if (pathologyMiss) reader.fail('planning-reports.json', 'pathology', 'needs a LOINC part category, LOINC code and document type, and a source', pathologyMiss, pathology);
  return { goals, careTeamRoles, noteTypes, noteFormat: noteFormat!, reports, pathology: pathology! };
}
