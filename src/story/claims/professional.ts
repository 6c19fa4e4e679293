import type { CodeMaps, VisitReasonRow } from '../../codemaps/types.js';
import type { ConditionFact, CoverageFact, DiagnosisFact, IsoDate } from '../types.js';
import type { MemberClaimsContext } from './context.js';
import type { ClaimDraft, DraftLine } from './draft.js';
import { procedureLine, tableEntry } from './lines.js';

export interface ProfessionalVisit {
  coverage: CoverageFact;
  date: IsoDate;
  /** The condition the visit is about; none for a routine exam. */
  condition?: ConditionFact;
  forced?: boolean;
  outOfNetwork?: boolean;
  deny?: boolean;
  /** The emergency physician's claim of an emergency-department visit: ED E/M level, place of service 23. */
  emergency?: boolean;
}

/** An office visit: E/M line, plus a test the condition calls for; billed by the practitioner's group. */
export function professionalClaim(ctx: MemberClaimsContext, visit: ProfessionalVisit): ClaimDraft {
  const { rng } = ctx;
  const age = ctx.ageOn(visit.date);
  const specialist = visit.condition && !ctx.conditionRow(visit.condition).chronic ? false : rng.chance(0.25);
  const rendering = specialist ? ctx.practitioner('specialist') : ctx.pcp;
  const billing = ctx.orgById(rendering.organizationId);
  const network = ctx.network(Boolean(visit.outOfNetwork));
  const diagnoses: DiagnosisFact[] = [];
  if (visit.condition) {
    diagnoses.push(ctx.diagnosisOf(visit.condition, 1, 'principal'));
    for (const other of ctx.activeConditions(visit.date)) {
      if (other !== visit.condition && diagnoses.length < 4 && rng.chance(0.5)) {
        diagnoses.push(ctx.diagnosisOf(other, diagnoses.length + 1, 'secondary'));
      }
    }
  } else {
    const reason = examReason(ctx.codeMaps, age);
    if (!reason) throw new Error(`code-maps/visit-reasons.json has no exam reason for age ${age}`);
    diagnoses.push({ sequence: 1, icd10cm: reason.icd10cm, display: reason.display, role: 'principal' });
  }
  const ed = visit.emergency ? ctx.procedures('ed-visit') : [];
  const pos = ed.length ? '23' : rng.chance(0.08) ? '02' : '11';
  const options = {
    date: visit.date, coverage: visit.coverage, network, placeOfService: pos,
    diagnosisSequences: diagnoses.map((d) => d.sequence), side: ctx.sideOf(visit.condition),
  };
  const evaluation = ed.length
    ? rng.pick(ed)
    : visit.condition
    ? rng.pick(ctx.procedures(rng.chance(0.15) ? 'new-visit' : 'office-visit'))
    : rng.pick(preventiveCodes(ctx, age, visit.coverage.planType === 'medicare-advantage'));
  const lines: DraftLine[] = [
    procedureLine(ctx, evaluation, { ...options, denial: ctx.denial('professional', Boolean(visit.deny)) }),
  ];
  const tests = visit.condition ? ctx.conditionRow(visit.condition).procedures : [];
  for (const key of tests) {
    const row = ctx.codeMaps.procedures.get(key);
    if (row && row.use !== 'office-visit' && row.use !== 'new-visit' && rng.chance(0.6)) {
      lines.push(procedureLine(ctx, row, { ...options, placeOfService: options.placeOfService === '02' ? '11' : options.placeOfService, denial: ctx.denial('professional', false) }));
    }
  }
  // Office labs, an ECG or an injection billed with the visit: physician claims carry about 2 lines (CMS CCW: 2.03).
  const extras = [...ctx.procedures('lab'), ...ctx.procedures('injection').filter((r) => r.code.startsWith('J'))];
  const more = rng.poisson(EXTRA_LINES);
  for (let i = 0; i < more && extras.length; i++) {
    const row = rng.pick(extras);
    if (lines.some((l) => l.code.code === row.code)) continue;
    lines.push(procedureLine(ctx, row, { ...options, placeOfService: options.placeOfService === '02' ? '11' : options.placeOfService, denial: ctx.denial('professional', false) }));
  }
  // A test billed with the visit makes the visit a separately identifiable E/M service: modifier 25.
  if (lines.length > 1) lines[0] = { ...lines[0]!, modifiers: [{ system: 'cpt', ...tableEntry(ctx, 'cpt-modifiers', '25') }] };
  return {
    type: 'professional',
    coverageOrdinal: visit.coverage.ordinal,
    serviceStart: visit.date,
    serviceEnd: visit.date,
    billingProviderId: billing.id,
    facilityId: billing.id,
    renderingPractitionerId: rendering.id,
    referringPractitionerId: specialist ? ctx.pcp.id : undefined,
    network,
    diagnoses,
    procedures: [],
    lines,
    forced: visit.forced,
  };
}

/** Mean number of further lines (office labs, injections) on a physician claim beyond the visit and the condition's own tests. */
const EXTRA_LINES = 0.2;

/** The routine-exam diagnosis (Z00.00 adult, Z00.129 child) for an age in years; none when the code map has no row for it. */
export function examReason(codeMaps: CodeMaps, age: number): VisitReasonRow | undefined {
  return [...codeMaps.visitReasons.values()].find((r) => (r.key === 'adult-exam' || r.key === 'child-exam') && r.ageMin <= age && age <= r.ageMax);
}

function preventiveCodes(ctx: MemberClaimsContext, age: number, medicare: boolean) {
  const rows = ctx.procedures('preventive', age);
  const awv = medicare ? rows.filter((r) => r.system === 'hcpcs') : [];
  if (awv.length) return awv;
  const byAge = rows.filter((r) => r.system === 'cpt');
  if (byAge.length) return byAge;
  const any = ctx.procedures('office-visit');
  if (!any.length) throw new Error('code-maps/professional-procedures.json has no office-visit code');
  return any;
}
