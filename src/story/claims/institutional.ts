import type { ProcedureRow } from '../../codemaps/types.js';
import type { ConditionFact, CoverageFact, DiagnosisFact, InstitutionalFacts, IsoDate, ProcedureFact } from '../types.js';
import { addDays, daysBetween } from '../../util/dates.js';
import type { MemberClaimsContext } from './context.js';
import type { ClaimDraft, DraftLine } from './draft.js';
import { procedureLine, tableEntry } from './lines.js';
import { drgPayment } from './pricing.js';
import type { StoryCode } from './table-codes.js';

export interface InstitutionalVisit {
  coverage: CoverageFact;
  date: IsoDate;
  condition: ConditionFact;
  forced?: boolean;
  outOfNetwork?: boolean;
  deny?: boolean;
  /** An emergency-department visit (outpatient); by default from the condition (acute: yes, chronic: 40%). */
  emergency?: boolean;
}

/** A hospital outpatient visit: an emergency visit, or tests and imaging for a condition; about 7 revenue-code lines (CMS CCW: 7.15). */
export function outpatientClaim(ctx: MemberClaimsContext, visit: InstitutionalVisit): ClaimDraft {
  const { rng } = ctx;
  const hospital = ctx.hospital;
  const attending = ctx.practitioner('specialist');
  const network = ctx.network(Boolean(visit.outOfNetwork));
  const emergency = visit.emergency ?? (!ctx.conditionRow(visit.condition).chronic || rng.chance(0.4));
  const diagnoses = diagnosesFor(ctx, visit.condition, visit.date, 'patientreasonforvisit');
  const options = {
    date: visit.date, coverage: visit.coverage, network, withRevenue: true,
    diagnosisSequences: diagnoses.map((d) => d.sequence), side: ctx.sideOf(visit.condition),
  };
  const lines: DraftLine[] = [];
  const first = emergency ? rng.pick(ctx.procedures('ed-visit')) : rng.pick([...ctx.procedures('imaging'), ...ctx.procedures('lab')]);
  const denyFirst = Boolean(visit.deny || (visit.forced && ctx.showcase?.deniedLineIn?.includes('outpatient')));
  lines.push(procedureLine(ctx, first, { ...options, denial: ctx.denial('outpatient', denyFirst) }));
  // A scheduled visit is an outpatient operation one time in five (endoscopy, cataract, orthopaedic):
  // operating room, anaesthesia, recovery and sterile supplies.
  if (!emergency && rng.chance(OUTPATIENT_SURGERY_SHARE)) {
    for (const revenue of ['0360', '0370', '0710', '0272'] as const) {
      const rate = ctx.codeMaps.pricing.revenueCodes.codes[revenue] ?? 30;
      lines.push(revenueLine(ctx, revenue, visit.date, 1, { ...ctx.price(rate, 'hospital', visit.coverage, network), preventive: false }, options.diagnosisSequences));
    }
  }
  // Tests, drugs, supplies and IV therapy of the visit: 3–9 further lines, a coded test where the code map has one.
  const coded = [...ctx.procedures('lab'), ...ctx.procedures('imaging')].filter((r) => r !== first && r.revenue && hasRevenue(ctx, r.revenue));
  const extra = emergency ? rng.int(3, 9) : rng.int(2, 8) - (lines.length > 1 ? 3 : 0);
  for (let i = 0; i < extra; i++) {
    if (coded.length && rng.chance(0.45)) {
      const row = coded.splice(rng.int(0, coded.length - 1), 1)[0]!;
      lines.push(procedureLine(ctx, row, { ...options, denial: ctx.denial('outpatient', false) }));
    } else {
      const revenue = rng.pick(emergency ? OUTPATIENT_ED_REVENUE : OUTPATIENT_REVENUE);
      const units = revenue === '0250' || revenue === '0636' ? rng.int(1, 4) : 1;
      const rate = ctx.codeMaps.pricing.revenueCodes.codes[revenue] ?? 30;
      lines.push(revenueLine(ctx, revenue, visit.date, units, { ...ctx.price(rate * units, 'hospital', visit.coverage, network), preventive: false }, options.diagnosisSequences));
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

/** Share of scheduled hospital outpatient visits that are operations (estimate). */
const OUTPATIENT_SURGERY_SHARE = 0.2;

/** Revenue codes of an emergency visit's uncoded lines (pharmacy, IV, supplies, lab, CT, ECG). */
const OUTPATIENT_ED_REVENUE: readonly Revenue[] = ['0250', '0250', '0258', '0260', '0270', '0301', '0305', '0300', '0350', '0636', '0730', '0306'];
/** Revenue codes of a scheduled outpatient visit's uncoded lines. */
const OUTPATIENT_REVENUE: readonly Revenue[] = ['0250', '0270', '0300', '0301', '0305', '0320', '0350', '0636', '0260'];

/**
 * An inpatient stay for a condition that groups to an MS-DRG, about 17 lines (CMS CCW: 17.21): one
 * accommodation line per accommodation code with the days as units (ICU days apart), the emergency
 * room when admitted through it, ancillaries (pharmacy, IV, supplies, labs, imaging, respiratory and
 * physical therapy) on the days they were given, and operating room, anaesthesia and recovery for
 * an operation. Length of stay: the MS-DRG's GMLOS with log-normal dispersion (mean ≈ 1.3 × GMLOS,
 * as the arithmetic mean exceeds the geometric one). Allowed: MS-DRG weight × IPPS standardized
 * amount × the book's hospital multiple, shared among the lines by weight.
 */
export function inpatientClaim(ctx: MemberClaimsContext, visit: InstitutionalVisit): ClaimDraft {
  const { rng, codeMaps } = ctx;
  const row = ctx.conditionRow(visit.condition);
  const drg = codeMaps.drgs.get(severityPick(ctx, row.drgs, visit.date));
  if (!drg) throw new Error(`condition '${row.key}' names an MS-DRG missing from code-maps/ms-drg.json`);
  const gmlos = drg.los || 3;
  const planned = Math.max(1, Math.round(gmlos * LOS_TO_GMLOS * Math.exp(0.55 * rng.normal() - 0.15)));
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
  const codes: FactCodes = { tob: '0111', origin: rng.chance(0.7) ? '1' : '2', type: rng.chance(0.6) ? '1' : '3' };
  const diagnosisSequences = diagnoses.map((d) => d.sequence);
  const day = () => addDays(visit.date, rng.int(0, los - 1));

  // Lines first with their weights; the MS-DRG payment is then shared among them.
  const drafts: { line: Omit<DraftLine, 'price'>; weight: number }[] = [];
  const weights = ctx.codeMaps.pricing.inpatientWeights.codes;
  const add = (revenue: Revenue, date: IsoDate, units: number, code?: ProcedureRow, serviceEnd?: IsoDate) => {
    const template = code
      ? procedureLine(ctx, code, { date, coverage: visit.coverage, network, withRevenue: true, diagnosisSequences, side, quantity: units })
      : revenueLine(ctx, revenue, date, units, { submitted: 0, allowedRatio: 0, preventive: false }, diagnosisSequences);
    const { price: _price, ...line } = template;
    drafts.push({ line: { ...line, revenue: tableEntry(ctx, 'revenue', revenue), ...(serviceEnd ? { serviceEnd } : {}) }, weight: (weights[revenue] ?? 0.2) * units });
  };
  const icuDays = los >= 3 && rng.chance(0.2) ? rng.int(1, Math.max(1, Math.floor(los / 2))) : 0;
  if (icuDays) add('0200', visit.date, icuDays, undefined, addDays(visit.date, icuDays));
  if (los - icuDays > 0) add('0120', addDays(visit.date, icuDays), los - icuDays, undefined, discharge);
  const viaEmergency = codes.type === '1';
  const ed = ctx.procedures('ed-visit');
  if (viaEmergency && ed.length) add('0450', visit.date, 1, rng.pick(ed));
  if (pcs) {
    const surgery = ctx.procedures('surgery').filter((r) => r.revenue && hasRevenue(ctx, r.revenue));
    const date = procedures[0]!.date;
    if (surgery.length) add('0360', date, 1, rng.pick(surgery));
    else add('0360', date, 1);
    add('0370', date, 1);
    add('0710', date, 1);
    add('0272', date, 1);
  }
  const labs = ctx.procedures('lab').filter((r) => r.revenue && hasRevenue(ctx, r.revenue));
  const imaging = ctx.procedures('imaging').filter((r) => r.revenue && hasRevenue(ctx, r.revenue));
  const ancillaries = Math.max(4, Math.round(10 + 1.2 * los + 2 * rng.normal()));
  for (let i = 0; i < ancillaries; i++) {
    const revenue = rng.pick(INPATIENT_REVENUE);
    if (revenue === '0300' && labs.length) add(revenue, day(), 1, rng.pick(labs));
    else if (revenue === '0320' && imaging.length) add(revenue, day(), 1, rng.pick(imaging));
    else add(revenue, day(), revenue === '0250' || revenue === '0636' || revenue === '0258' ? rng.int(1, 6) : 1);
  }
  const total = drgPayment(ctx.codeMaps.pricing, drg.weight);
  const sum = drafts.reduce((n, d) => n + d.weight, 0);
  const lines: DraftLine[] = drafts.map(({ line, weight }) => ({
    ...line,
    price: { ...ctx.price((total * weight) / sum, 'hospital', visit.coverage, network), preventive: false },
  }));
  // The coverage plan may ask for a denied line on its admission, so that line-level reasons show.
  if (visit.deny || (visit.forced && ctx.showcase?.deniedLineIn?.includes('inpatient'))) {
    const last = lines[lines.length - 1]!;
    const denial = ctx.denial('inpatient', true)!;
    lines[lines.length - 1] = { ...last, denialReason: denial, price: { ...last.price, denial: { group: denial.group } } };
  }
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
    // Medicare Advantage plans pay admissions by MS-DRG, a claim-level price; commercial and Medicaid ones per line (per
    // diem, charges). The coverage plan asks for one admission of each shape (Showcase.claimLevel, perLine).
    ...(claimLevelInpatient(visit, ctx) ? { claimLevelAdjudication: true } : {}),
    forced: visit.forced,
  };
}

/** Whether an admission is priced and reported at claim level (see inpatientClaim). */
function claimLevelInpatient(visit: InstitutionalVisit, ctx: MemberClaimsContext): boolean {
  if (visit.forced && ctx.showcase?.perLine?.includes('inpatient')) return false;
  if (visit.forced && ctx.showcase?.claimLevel?.includes('inpatient')) return true;
  return visit.coverage.planType === 'medicare-advantage';
}

/**
 * One of the condition's MS-DRGs, the heavier ones (with MCC, with CC) the likelier the older the
 * member and the more chronic conditions they have: candidates weighted by relative weight^β, β =
 * 0.5 per active chronic condition (at most 3) + 1 at 65 and over. Any weights code-maps/catalog/ms-drg.json
 * allows (0 taken as 1, 1e-300, 1e300) give a pick.
 */
export function severityPick(ctx: MemberClaimsContext, codes: readonly string[], date: IsoDate): string {
  const chronic = ctx.activeConditions(date).filter((c) => ctx.conditionRow(c).chronic).length;
  const beta = Math.min(3, 0.5 * chronic) + (ctx.ageOn(date) >= 65 ? 1 : 0);
  const weight = (code: string) => ctx.codeMaps.drgs.get(code)?.weight || 1;
  // As shares of the heaviest candidate's: weight^β itself underflows to 0 for every candidate of an edited weight
  // of 1e-300, or overflows to Infinity for 1e300 (Rng.weighted then had no total to draw from: exit 70).
  const heaviest = Math.max(...codes.map(weight));
  return ctx.rng.weighted([...codes], (code) => Math.pow(weight(code) / heaviest, beta));
}

/**
 * Mean length of stay / GMLOS: stays are right-skewed, so the arithmetic mean of an MS-DRG exceeds
 * its geometric mean (FY2026 Table 5 lists both; AMLOS/GMLOS is about 1.2–1.4).
 */
const LOS_TO_GMLOS = 1.3;

/** Revenue codes an inpatient stay's ancillary lines are drawn from, repeated by how often they appear on a bill. */
const INPATIENT_REVENUE: readonly Revenue[] = [
  '0250', '0250', '0250', '0258', '0260', '0270', '0270', '0300', '0300', '0301', '0301', '0305', '0305', '0306',
  '0320', '0324', '0350', '0410', '0420', '0636', '0636', '0730',
];

/** A revenue code the story bills by itself (STORY_TABLE_CODES). */
type Revenue = StoryCode<'revenue'>;

/** The NUBC codes of a hospital bill's claim-level facts. */
interface FactCodes {
  tob: StoryCode<'type-of-bill'>;
  origin: StoryCode<'point-of-origin'>;
  type: StoryCode<'admission-type'>;
}

function hasRevenue(ctx: MemberClaimsContext, code: string): boolean {
  return Boolean(ctx.codeMaps.tables.get('revenue')?.codes.some((c) => c.code === code));
}

/** A hospital line billed with a revenue code and no procedure code (room and board, pharmacy, supplies …). */
function revenueLine(
  ctx: MemberClaimsContext,
  revenueCode: Revenue,
  date: IsoDate,
  units: number,
  price: DraftLine['price'],
  diagnosisSequences: number[],
): DraftLine {
  return {
    serviceDate: date,
    code: { system: 'not-applicable', code: 'not-applicable', display: 'Not Applicable', licensed: false },
    revenue: tableEntry(ctx, 'revenue', revenueCode),
    modifiers: [],
    quantity: units,
    allowedUnits: units,
    diagnosisSequences,
    price,
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
  codes: FactCodes,
  dischargeStatus: StoryCode<'discharge-status'>,
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
