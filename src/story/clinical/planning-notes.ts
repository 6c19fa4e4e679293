import { procedureKeyOf } from '../../codemaps/procedure-key.js';
import { addDays } from '../../util/dates.js';
import type { IsoDate } from '../types.js';
import type { ClinicalInput, EncounterFact } from './types.js';

export type NoteKind = 'progress' | 'consult' | 'discharge' | 'history-physical' | 'procedure';

export interface NoteFact {
  /** 1-based: the resource id is fs-<key>-note<ordinal>. */
  ordinal: number;
  encounterOrdinal: number;
  kind: NoteKind;
  /** Day the note was signed: the end of the visit. */
  date: IsoDate;
  periodStart: IsoDate;
  periodEnd: IsoDate;
  authorId?: string;
  organizationId: string;
  /** The note itself, plain text. */
  text: string;
  /** Also available at a URL (the document repository), besides inline. */
  withUrl: boolean;
}

export interface ReportFact {
  /** 1-based: the resource ids are fs-<key>-rpt<ordinal> (and -img/-imp for its media and impression). */
  ordinal: number;
  encounterOrdinal: number;
  claimOrdinal: number;
  lineSequence: number;
  /** Procedure key (professional-procedures.json), the key of the report row. */
  procedureKey: string;
  effective: IsoDate;
  issued: IsoDate;
  performerId?: string;
  organizationId: string;
  impression: string;
  text: string;
}

/** The surgical pathology report of tissue removed at an operation (US Core DiagnosticReport category Pathology). */
export interface PathologyFact {
  /** 1-based: the resource ids are fs-<key>-path<ordinal> (and -doc/-bin for its document and attachment). */
  ordinal: number;
  encounterOrdinal: number;
  /** ICD-10-PCS code and text of the operation the specimen came from. */
  pcs: string;
  operation: string;
  collected: IsoDate;
  /** Signed out two days after the operation. */
  issued: IsoDate;
  /** The hospital's laboratory. */
  organizationId: string;
  /** The surgeon who sent the specimen (the report's requester). */
  surgeonId?: string;
  text: string;
}

/**
 * Root operations of ICD-10-PCS Medical and Surgical (section 0, third character) that take tissue out of
 * the body, which goes to surgical pathology: B Excision, T Resection, R Replacement (the removed joint surfaces).
 */
const TISSUE_REMOVED = new Set(['B', 'T', 'R']);

/** Operations of the member's visits, each with the claim it was billed on. */
function operations(input: ClinicalInput) {
  const out: { e: EncounterFact; pcs: string; display: string; date: IsoDate; surgeonId?: string }[] = [];
  for (const e of input.encounters.filter((x) => !x.inProgress && x.start <= input.lastDay)) {
    for (const claim of input.story.claims.filter((c) => e.claimOrdinals.includes(c.ordinal))) {
      for (const p of claim.procedures) {
        if (p.date > input.lastDay || p.date > input.now) continue;
        const surgeonId = claim.operatingPractitionerId ?? e.practitionerId;
        out.push({ e, pcs: p.pcs, display: p.display, date: p.date, ...(surgeonId ? { surgeonId } : {}) });
      }
    }
  }
  return out;
}

/** Notes kept small: every inpatient and emergency visit, and the two latest other visits. */
const OTHER_NOTES = 2;

export function simulateNotes(input: ClinicalInput): NoteFact[] {
  // A stay still going on at now has no discharge summary yet.
  const visits = input.encounters.filter((e) => e.kind !== 'dental' && e.start <= input.lastDay && !e.inProgress);
  const acute = visits.filter((e) => e.kind === 'inpatient' || e.kind === 'emergency');
  const other = visits.filter((e) => e.kind !== 'inpatient' && e.kind !== 'emergency').slice(-OTHER_NOTES);
  const chosen = [...acute, ...other].sort((a, b) => a.ordinal - b.ordinal);
  const visitNotes = chosen.map((e, i): NoteFact => {
    const kind = noteKind(input, e);
    return {
      ordinal: i + 1,
      encounterOrdinal: e.ordinal,
      kind,
      date: e.end,
      periodStart: e.start,
      periodEnd: e.end,
      ...(e.practitionerId ? { authorId: e.practitionerId } : {}),
      organizationId: e.organizationId,
      text: noteText(input, e, kind),
      withUrl: kind === 'discharge' || (i === 0 && input.story.index % 3 === 0),
    };
  });
  // The surgeon's operative (procedure) note of each operation, kept in the document repository too.
  const procedureNotes = operations(input).map((op, j): NoteFact => ({
    ordinal: visitNotes.length + j + 1,
    encounterOrdinal: op.e.ordinal,
    kind: 'procedure',
    date: op.date,
    periodStart: op.date,
    periodEnd: op.date,
    ...(op.surgeonId ? { authorId: op.surgeonId } : {}),
    organizationId: op.e.organizationId,
    text: procedureNoteText(input, op),
    withUrl: true,
  }));
  return [...visitNotes, ...procedureNotes];
}

function procedureNoteText(input: ClinicalInput, op: ReturnType<typeof operations>[number]): string {
  const { story, directory } = input;
  const surgeon = directory.practitioners.find((p) => p.id === op.surgeonId);
  const indication = op.e.diagnoses[0];
  return [
    'Procedure note',
    `Patient: ${story.member.name.given.join(' ')} ${story.member.name.family}, born ${story.member.birthDate}`,
    `Date: ${op.date}`,
    `Procedure: ${op.display} (ICD-10-PCS ${op.pcs})`,
    ...(surgeon ? [`Surgeon: ${surgeon.name.given.join(' ')} ${surgeon.name.family}`] : []),
    ...(indication ? [`Indication: ${indication.display} (${indication.icd10cm})`] : []),
    'Anesthesia: general. Estimated blood loss: minimal. Complications: none.',
    ...(removesTissue(op.pcs) ? ['Specimen: sent to surgical pathology.'] : []),
    'Disposition: to the recovery unit in stable condition.',
  ].join('\n');
}

const removesTissue = (pcs: string) => pcs[0] === '0' && TISSUE_REMOVED.has(pcs[2] ?? '');

/** A surgical pathology report for each operation that removed tissue, signed out two days later (if by now). */
export function simulatePathology(input: ClinicalInput): PathologyFact[] {
  const out: PathologyFact[] = [];
  for (const op of operations(input).filter((o) => removesTissue(o.pcs))) {
    const issued = addDays(op.date, 2);
    if (issued > input.now) continue;
    const dx = op.e.diagnoses[0];
    const text = [
      'Surgical pathology report',
      `Patient: ${input.story.member.name.given.join(' ')} ${input.story.member.name.family}, born ${input.story.member.birthDate}`,
      `Collected: ${op.date}. Signed out: ${issued}.`,
      `Specimen: tissue from ${op.display.toLowerCase()} (ICD-10-PCS ${op.pcs})`,
      ...(dx ? [`Clinical history: ${dx.display}`] : []),
      'Gross: received in formalin, labeled with the patient\'s name; representative sections submitted.',
      `Diagnosis: findings consistent with the clinical diagnosis${dx ? ` (${dx.display})` : ''}. No malignancy identified.`,
    ].join('\n');
    out.push({
      ordinal: out.length + 1,
      encounterOrdinal: op.e.ordinal,
      pcs: op.pcs,
      operation: op.display,
      collected: op.date,
      issued,
      organizationId: op.e.organizationId,
      ...(op.surgeonId ? { surgeonId: op.surgeonId } : {}),
      text,
    });
  }
  return out;
}

function noteKind(input: ClinicalInput, e: EncounterFact): NoteKind {
  if (e.kind === 'inpatient') return 'discharge';
  if (e.kind === 'preventive') return 'history-physical';
  const role = input.directory.practitioners.find((p) => p.id === e.practitionerId)?.role;
  return role === 'specialist' ? 'consult' : 'progress';
}

const TITLES: Record<NoteKind, string> = {
  procedure: 'Procedure note',
  progress: 'Progress note',
  consult: 'Consultation note',
  discharge: 'Discharge summary',
  'history-physical': 'History and physical',
};

const VISIT_LABELS: Record<EncounterFact['kind'], string> = {
  office: 'Office visit',
  preventive: 'Preventive visit',
  emergency: 'Emergency department visit',
  outpatient: 'Hospital outpatient visit',
  inpatient: 'Inpatient admission',
  dental: 'Dental visit',
};

function noteText(input: ClinicalInput, e: EncounterFact, kind: NoteKind): string {
  const { story, directory } = input;
  const name = `${story.member.name.given.join(' ')} ${story.member.name.family}`;
  const clinician = directory.practitioners.find((p) => p.id === e.practitionerId);
  const org = directory.organizations.find((o) => o.id === e.organizationId);
  const assessment = e.diagnoses.length ? e.diagnoses.map((d, k) => `${k + 1}. ${d.display} (${d.icd10cm})`) : ['1. No acute problems.'];
  const plan =
    kind === 'discharge' && e.dischargeStatus === '20'
      ? `Expired in hospital on ${e.end} after admission on ${e.start}.`
      : kind === 'discharge'
      ? `Discharged ${e.end} after admission on ${e.start}. Follow up with primary care within 14 days.`
      : kind === 'history-physical'
        ? 'Age-appropriate screening reviewed. Continue current medications. Return in one year.'
        : 'Continue current treatment. Return as needed or at the next scheduled visit.';
  return [
    TITLES[kind],
    `Patient: ${name}, born ${story.member.birthDate}`,
    `Visit: ${VISIT_LABELS[e.kind]} on ${e.start}${e.end !== e.start ? ` to ${e.end}` : ''}`,
    ...(clinician ? [`Clinician: ${clinician.name.given.join(' ')} ${clinician.name.family}`] : []),
    ...(org ? [`Location: ${org.name}`] : []),
    'Assessment:',
    ...assessment,
    `Plan: ${plan}`,
  ].join('\n');
}

export function simulateReports(input: ClinicalInput): ReportFact[] {
  const { story, codeMaps, encounters } = input;
  const reportRows = codeMaps.clinical.planning.reports;
  const reports: ReportFact[] = [];
  // Professional claims only: the facility's claim for the same study would be a second report of it.
  for (const claim of story.claims.filter((c) => c.type === 'professional' && c.serviceStart <= input.lastDay)) {
    const encounter = encounters.find((e) => e.claimOrdinals.includes(claim.ordinal));
    if (!encounter) continue;
    for (const line of claim.lines) {
      const procedureKey = procedureKeyOf(codeMaps.procedures, line.code.code);
      // Reported the day after the study: a report not issued by now does not exist yet.
      if (!procedureKey || !reportRows.has(procedureKey) || line.denial || addDays(line.serviceDate, 1) > input.now) continue;
      const row = reportRows.get(procedureKey)!;
      const performerId = claim.renderingPractitionerId ?? claim.attendingPractitionerId;
      const reason = encounter.diagnoses[0];
      reports.push({
        ordinal: reports.length + 1,
        encounterOrdinal: encounter.ordinal,
        claimOrdinal: claim.ordinal,
        lineSequence: line.sequence,
        procedureKey,
        effective: line.serviceDate,
        issued: addDays(line.serviceDate, 1),
        ...(performerId ? { performerId } : {}),
        organizationId: claim.facilityId ?? claim.billingProviderId,
        impression: row.finding,
        text: [
          row.code.display,
          `Patient: ${story.member.name.given.join(' ')} ${story.member.name.family}, born ${story.member.birthDate}`,
          `Date: ${line.serviceDate}`,
          ...(reason ? [`Indication: ${reason.display}`] : []),
          `Findings: ${row.finding}`,
          `Impression: ${row.finding.split('.')[0]}.`,
        ].join('\n'),
      });
    }
  }
  return reports;
}
