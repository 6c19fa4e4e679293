import type { ConditionFact, CoverageFact, DiagnosisFact, InstitutionalFacts, IsoDate, ProcedureFact } from '../types.js';
import { addDays, daysBetween } from '../../util/dates.js';
import type { MemberClaimsContext } from './context.js';
import type { ClaimDraft, DraftLine } from './draft.js';
import { procedureLine, tableEntry } from './lines.js';

export interface InstitutionalVisit {
  coverage: CoverageFact;
  date: IsoDate;
  condition: ConditionFact;
  forced?: boolean;
  outOfNetwork?: boolean;
  deny?: boolean;
}

/** A hospital outpatient visit: an emergency visit, or tests and imaging for a condition. */
export function outpatientClaim(ctx: MemberClaimsContext, visit: InstitutionalVisit): ClaimDraft {
  const { rng } = ctx;
  const hospital = ctx.hospital;
  const attending = ctx.practitioner('specialist');
  const network = ctx.network(Boolean(visit.outOfNetwork));
  const emergency = !ctx.conditionRow(visit.condition).chronic || rng.chance(0.4);
  const diagnoses = diagnosesFor(ctx, visit.condition, visit.date, 'patientreasonforvisit');
  const options = {
    date: visit.date, coverage: visit.coverage, network, withRevenue: true,
    diagnosisSequences: diagnoses.map((d) => d.sequence), side: ctx.sideOf(visit.condition),
  };
  const lines: DraftLine[] = [];
  const first = emergency ? rng.pick(ctx.procedures('ed-visit')) : rng.pick([...ctx.procedures('imaging'), ...ctx.procedures('lab')]);
  const denyFirst = Boolean(visit.deny || (visit.forced && ctx.showcase?.deniedLineIn?.includes('outpatient')));
  lines.push(procedureLine(ctx, first, { ...options, denial: ctx.denial('outpatient', denyFirst) }));
  for (const row of [...ctx.procedures('lab'), ...ctx.procedures('imaging')]) {
    if (row !== first && lines.length < 5 && rng.chance(0.25)) {
      lines.push(procedureLine(ctx, row, { ...options, denial: ctx.denial('outpatient', false) }));
    }
  }
  return {
    type: 'outpatient',
    coverageOrdinal: visit.coverage.ordinal,
    serviceStart: visit.date,
    serviceEnd: visit.date,
    billingProviderId: hospital.id,
    attendingPractitionerId: attending.id,
    referringPractitionerId: emergency ? undefined : ctx.pcp.id,
    network,
    diagnoses,
    procedures: [],
    lines,
    institutional: institutionalFacts(ctx, emergency ? { tob: '0131', origin: '1', type: '1' } : { tob: '0131', origin: '2', type: '3' }, '01'),
    // A per-visit case rate, when the coverage plan asks for one; outpatient claims are otherwise priced per line.
    ...(visit.forced && ctx.showcase?.claimLevel?.includes('outpatient') ? { claimLevelAdjudication: true } : {}),
    forced: visit.forced,
  };
}

/** An inpatient stay for a condition that groups to an MS-DRG: room and board, drugs, labs, and an operation when there is one. */
export function inpatientClaim(ctx: MemberClaimsContext, visit: InstitutionalVisit): ClaimDraft {
  const { rng, codeMaps } = ctx;
  const row = ctx.conditionRow(visit.condition);
  const drg = codeMaps.drgs.get(rng.pick(row.drgs));
  if (!drg) throw new Error(`condition '${row.key}' names an MS-DRG missing from code-maps/ms-drg.json`);
  const planned = Math.max(1, Math.round(drg.los * (0.6 + rng.next() * 0.8)));
  // A member whose death falls within the stay dies in hospital: the stay ends that day (NUBC discharge status 20, expired).
  const death = ctx.member.deceasedDate;
  const diesInHospital = death !== undefined && addDays(visit.date, planned) >= death;
  const los = diesInHospital ? Math.max(1, daysBetween(visit.date, death)) : planned;
  const discharge = diesInHospital ? death : addDays(visit.date, los);
  const hospital = ctx.hospital;
  const attending = ctx.practitioner('specialist');
  const network = ctx.network(Boolean(visit.outOfNetwork));
  const diagnoses = diagnosesFor(ctx, visit.condition, visit.date, 'admitting');
  const procedures: ProcedureFact[] = [];
  // The operation is on the side the diagnosis names (right knee osteoarthritis → right knee replacement).
  const side = ctx.sideOf(visit.condition);
  const sameSide = row.pcs.filter((k) => !side || !codeMaps.pcs.get(k)?.side || codeMaps.pcs.get(k)?.side === side);
  const pcs = sameSide.length ? codeMaps.pcs.get(rng.pick(sameSide)) : undefined;
  if (pcs) procedures.push({ sequence: 1, pcs: pcs.code, display: pcs.display, date: addDays(visit.date, Math.min(1, los - 1)), role: 'principal' });
  const options = {
    date: visit.date, coverage: visit.coverage, network, withRevenue: true,
    diagnosisSequences: diagnoses.map((d) => d.sequence), side: ctx.sideOf(visit.condition),
  };
  const share = drg.charge / (los + 3);
  const lines: DraftLine[] = [];
  lines.push(roomAndBoardLine(ctx, share, los, options));
  for (const use of ['lab', 'imaging'] as const) {
    const candidates = ctx.procedures(use);
    if (candidates.length) {
      const date = addDays(visit.date, rng.int(0, los - 1));
      lines.push(procedureLine(ctx, rng.pick(candidates), { ...options, date, denial: ctx.denial('inpatient', false) }));
    }
  }
  if (pcs) {
    const surgery = ctx.procedures('surgery');
    if (surgery.length) {
      const line = procedureLine(ctx, rng.pick(surgery), { ...options, date: procedures[0]!.date, withRevenue: true });
      lines.push({ ...line, price: { ...line.price, submitted: Math.round(share * 100 * 2) } });
    }
  }
  // The coverage plan may ask for a denied line on its admission, so that line-level reasons show.
  if (visit.deny || (visit.forced && ctx.showcase?.deniedLineIn?.includes('inpatient'))) {
    const last = lines[lines.length - 1]!;
    const denial = ctx.denial('inpatient', true)!;
    lines[lines.length - 1] = { ...last, denialReason: denial, price: { ...last.price, denial: { group: denial.group } } };
  }
  const codes = { tob: '0111', origin: rng.chance(0.7) ? '1' : '2', type: rng.chance(0.6) ? '1' : '3' };
  const routine = rng.chance(0.8) ? '01' : '06';
  const facts = institutionalFacts(ctx, codes, diesInHospital ? '20' : routine);
  return {
    type: 'inpatient',
    coverageOrdinal: visit.coverage.ordinal,
    serviceStart: visit.date,
    serviceEnd: discharge,
    billingProviderId: hospital.id,
    attendingPractitionerId: attending.id,
    operatingPractitionerId: pcs ? ctx.practitioner('specialist').id : undefined,
    network,
    diagnoses: diagnoses.map((d) => ({ ...d, onAdmission: d.role === 'admitting' ? 'Y' : rng.pick(['Y', 'Y', 'N', 'U'] as const) })),
    procedures,
    lines,
    institutional: { ...facts, drg: drg.code, admissionPeriod: { start: visit.date, end: discharge } },
    // Medicare Advantage plans pay admissions by MS-DRG, a claim-level price; commercial ones per line (per diem, charges).
    ...(visit.coverage.planType === 'medicare-advantage' || (visit.forced && ctx.showcase?.claimLevel?.includes('inpatient'))
      ? { claimLevelAdjudication: true }
      : {}),
    forced: visit.forced,
  };
}

function roomAndBoardLine(
  ctx: MemberClaimsContext,
  perDayDollars: number,
  days: number,
  options: { date: IsoDate; coverage: CoverageFact; network: 'innetwork' | 'outofnetwork'; diagnosisSequences: number[] },
): DraftLine {
  const revenue = tableEntry(ctx, 'revenue', '0120');
  return {
    serviceDate: options.date,
    serviceEnd: addDays(options.date, days),
    code: { system: 'not-applicable', code: 'not-applicable', display: 'Not Applicable', licensed: false },
    revenue,
    modifiers: [],
    quantity: days,
    allowedUnits: days,
    diagnosisSequences: options.diagnosisSequences,
    price: {
      submitted: Math.round(perDayDollars * 100) * days,
      allowedRatio: ctx.allowedRatio(options.coverage, options.network),
      preventive: false,
    },
  };
}

function diagnosesFor(ctx: MemberClaimsContext, condition: ConditionFact, date: IsoDate, firstExtra: DiagnosisFact['role']): DiagnosisFact[] {
  const diagnoses: DiagnosisFact[] = [ctx.diagnosisOf(condition, 1, 'principal')];
  if (firstExtra === 'admitting') diagnoses.push({ ...ctx.diagnosisOf(condition, 2, 'admitting') });
  for (const other of ctx.activeConditions(date)) {
    if (other !== condition && diagnoses.length < 6 && ctx.rng.chance(0.6)) {
      diagnoses.push(ctx.diagnosisOf(other, diagnoses.length + 1, 'other'));
    }
  }
  return diagnoses;
}

function institutionalFacts(
  ctx: MemberClaimsContext,
  codes: { tob: string; origin: string; type: string },
  dischargeStatus: string,
): InstitutionalFacts {
  return {
    typeOfBill: tableEntry(ctx, 'type-of-bill', codes.tob).code,
    pointOfOrigin: tableEntry(ctx, 'point-of-origin', codes.origin).code,
    admissionType: tableEntry(ctx, 'admission-type', codes.type).code,
    dischargeStatus: tableEntry(ctx, 'discharge-status', dischargeStatus).code,
    medicalRecordNumber: `MRN${ctx.rng.digits(8)}`,
    patientAccountNumber: `PA${ctx.rng.digits(10)}`,
  };
}
