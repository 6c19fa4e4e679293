import { priorAuthKindOf } from '../codemaps/prior-auth.js';
import type { PriorAuthTables } from '../codemaps/types.js';
import { addDays, daysBetween, minDate, type IsoDate } from '../util/dates.js';
import { stableHash } from '../util/rng.js';
import type { MemberClaimsContext } from './claims/context.js';
import type { ClaimDraft } from './claims/draft.js';
import { procedureLine } from './claims/lines.js';
import { professionalClaim } from './claims/professional.js';
import { makeCondition, plausibleFor } from './conditions.js';
import type { CoverageFact, PriorAuthFact, PriorAuthKind } from './types.js';

/**
 * Prior authorization: which planned services the payer reviews before they happen, and what it decides.
 * What needs authorization is what payers commonly require (KFF, "Medicare Advantage insurers made nearly
 * 50 million prior authorization determinations in 2023", 2025): elective inpatient admissions (NUBC
 * admission type 3), advanced diagnostic imaging — CT, MRI, nuclear cardiology and PET, the services
 * MIPPA 2008 §135 names — and durable medical equipment (HCPCS E and K codes; CMS's DMEPOS required
 * prior authorization list, 42 CFR 414.234). Pharmacy prior authorizations (the formulary's flags)
 * are not made into requests here: PDex's PriorAuthorization codes its items in CPT, HCPCS or HIPPS only.
 */

/** Share of requests denied (KFF, same source: 6.4% fully or partially denied in 2023). */
const DENIED = 0.064;
/** Share still pended for more information when the service would have been done (estimate). */
const PENDED = 0.02;

/**
 * Which kind of authorization a draft needs, and the index of the line it is for (undefined: none needed): an
 * elective admission (NUBC admission type 3), else the first line whose code code-maps/prior-auth-services.json lists.
 */
export function authorizationNeeded(draft: ClaimDraft, tables: PriorAuthTables): { kind: PriorAuthKind; line: number } | undefined {
  if (draft.type === 'inpatient' && draft.institutional?.admissionType === '3') return { kind: 'inpatient-admission', line: 0 };
  if (draft.type !== 'professional' && draft.type !== 'outpatient') return undefined;
  const kinds = draft.lines.map((l) => priorAuthKindOf(tables, l.code.system, l.code.code));
  // Imaging before equipment when a draft has both, as payers review the imaging study.
  for (const kind of ['advanced-imaging', 'dme'] as const) {
    const line = kinds.indexOf(kind);
    if (line >= 0) return { kind, line };
  }
  return undefined;
}

/**
 * Requests an authorization for every draft that needs one and decides it, in date order: approved drafts
 * go on to be claims that carry the authorization number; denied and pended ones are not done, so they have
 * no claim. Drafts the coverage plan forces are always approved (the first members show every claim shape).
 * An approval covers later fills of the same equipment within its period. A rental (code-maps/prior-auth-rentals.json) that goes on
 * past its first approval is billed again the day after it ends, which needs a renewal: a new request
 * naming the previous number (a later fill of the same rented equipment outside an approval is one too).
 * A forced rental always goes on, also when it is billed under the first approval of the member's own rental.
 * Coverage-plan members with `priorAuth` also get a denied or pended request (showcaseRequest). Draws from
 * the member's generator only for the drafts that need authorization and for those members. The drafts
 * come back in their given order, continuations of rentals after them.
 */
export function authorizeDrafts(ctx: MemberClaimsContext, memberKey: string, drafts: ClaimDraft[]): { drafts: ClaimDraft[]; auths: PriorAuthFact[] } {
  const { rng } = ctx;
  const auths: PriorAuthFact[] = [];
  /** Per draft (by input position; continuations after), the draft to keep, or undefined when it is not done. */
  const kept: (ClaimDraft | undefined)[] = [...drafts];
  /** Positions still to decide, in service-date order (a stable sort: same-day drafts keep their order). */
  const queue = drafts.map((_, i) => i).sort((a, b) => drafts[a]!.serviceStart.localeCompare(drafts[b]!.serviceStart) || a - b);
  /** Approvals by equipment code: a later fill of the same equipment within the approval's period uses it. */
  const standing = new Map<string, PriorAuthFact>();
  /** Position of the continuation queued after a rental's first approval, by authorization number. */
  const continuations = new Map<string, number>();
  /** Continuations approved whatever the roll: the rental a forced draft joined goes on and is renewed. */
  const renewed = new Set<number>();
  const enqueue = (next: ClaimDraft, after: PriorAuthFact) => {
    kept.push(next);
    continuations.set(after.number, kept.length - 1);
    const position = queue.findIndex((i) => kept[i]!.serviceStart > next.serviceStart);
    queue.splice(position < 0 ? queue.length : position, 0, kept.length - 1);
  };
  while (queue.length) {
    const at = queue.shift()!;
    const draft = kept[at]!;
    const need = authorizationNeeded(draft, ctx.codeMaps.priorAuth);
    if (!need) continue;
    const codeKey = need.kind === 'dme' ? draft.lines[need.line]!.code.code : undefined;
    const rental = codeKey ? ctx.codeMaps.priorAuth.rentals.get(codeKey) : undefined;
    const prior = codeKey ? standing.get(codeKey) : undefined;
    const period = prior?.items[0]?.authorizedPeriod;
    if (prior && period && period.start <= draft.serviceStart && draft.serviceEnd <= period.end) {
      kept[at] = { ...draft, priorAuthNumber: prior.number };
      // A forced rental (the coverage plan's CPAP) billed under the first approval of the member's own rental of that
      // equipment: that rental goes on (its continuation, queued or not, is approved), so the renewal still shows.
      if (draft.forced && rental && !prior.previousNumber) {
        const queued = continuations.get(prior.number);
        const next = queued === undefined ? continuation(ctx, draft, need.line, prior, rental.continues) : undefined;
        if (next) enqueue(next, prior);
        const position = continuations.get(prior.number);
        if (position !== undefined) renewed.add(position);
      }
      continue;
    }
    // A renewal: the rented equipment was approved before, but this fill falls outside that approval.
    const previousNumber = rental ? prior?.number : undefined;
    const roll = rng.next();
    const decision = draft.forced || renewed.has(at) ? 'approved' : roll < DENIED ? 'denied' : roll < DENIED + PENDED ? 'pended' : 'approved';
    const requested = addDays(draft.serviceStart, -rng.int(5, 21));
    const decided = decision === 'pended' ? undefined : addDays(requested, rng.int(1, 4));
    const line = draft.lines[need.line]!;
    const units = need.kind === 'inpatient-admission' ? Math.max(1, daysBetween(draft.serviceStart, draft.serviceEnd)) : line.quantity;
    const ordinal = auths.length + 1;
    const number = `PA${draft.serviceStart.slice(0, 4)}${stableHash(`${memberKey}:prior-auth:${ordinal}`, 8).toUpperCase()}`;
    const days = rental ? (previousNumber ? rental.renewalDays : rental.firstDays) : undefined;
    const fact: PriorAuthFact = {
      ordinal,
      number,
      kind: need.kind,
      coverageOrdinal: draft.coverageOrdinal,
      ...(previousNumber ? { previousNumber } : {}),
      requested,
      ...(decided ? { decided } : {}),
      providerId: draft.facilityId ?? draft.billingProviderId,
      practitionerId: draft.attendingPractitionerId ?? draft.renderingPractitionerId ?? draft.referringPractitionerId,
      service: { start: draft.serviceStart, end: draft.serviceEnd },
      diagnoses: draft.diagnoses.filter((d) => d.role !== 'externalcauseofinjury').slice(0, 4),
      items: [{
        sequence: 1,
        code: line.code,
        quantity: units,
        submitted: line.price.submitted,
        decision,
        ...(decision === 'approved' ? { authorizedUnits: units, authorizedPeriod: validity(decided!, draft.serviceEnd, days) } : {}),
        ...(decision === 'denied' ? { denial: NOT_MEDICALLY_NECESSARY } : {}),
      }],
    };
    auths.push(fact);
    if (decision !== 'approved') {
      kept[at] = undefined;
      continue;
    }
    kept[at] = { ...draft, priorAuthNumber: number };
    if (!codeKey) continue;
    standing.set(codeKey, fact);
    // The first approval of a rental: when the rental goes on past it, the next month is billed and needs a renewal.
    const next = rental && !previousNumber ? continuation(ctx, draft, need.line, fact, rental.continues) : undefined;
    if (next) enqueue(next, fact);
  }
  const shown = ctx.showcase?.priorAuth;
  if (shown) {
    const request = showcaseRequest(ctx, memberKey, auths.length + 1, shown);
    if (request) auths.push(request);
  }
  return { drafts: kept.filter((d): d is ClaimDraft => d !== undefined), auths };
}

/**
 * The rental's next month, billed by the same supplier the day after the first approval ends, when the
 * rental goes on: the condition it is for is chronic, the member is still covered and the claim would be
 * paid in the period, and the member keeps using it (`continues`; always for a draft the coverage plan forces).
 */
function continuation(ctx: MemberClaimsContext, draft: ClaimDraft, lineIndex: number, approval: PriorAuthFact, continues: number): ClaimDraft | undefined {
  const end = approval.items[0]?.authorizedPeriod?.end;
  if (!end) return undefined;
  const date = addDays(end, 1);
  const coverage = ctx.coverages.find((c) => c.ordinal === draft.coverageOrdinal);
  const condition = draft.diagnoses.find((d) => d.role === 'principal')?.conditionKey;
  const chronic = condition ? ctx.codeMaps.conditions.get(condition)?.chronic : false;
  if (!chronic || !coverage || coverage.end < date || date > ctx.lastServiceDay) return undefined;
  if (!draft.forced && !ctx.rng.chance(continues)) return undefined;
  const { priorAuthNumber: _number, ...rest } = draft;
  return {
    ...rest,
    serviceStart: date,
    serviceEnd: date,
    lines: [{ ...draft.lines[lineIndex]!, serviceDate: date, diagnosisSequences: [1] }],
    diagnoses: draft.diagnoses.filter((d) => d.role === 'principal').map((d) => ({ ...d, sequence: 1 })),
  };
}

/**
 * The coverage plan's rental (Showcase.rental), so that a renewal shows in small populations: the member has
 * obstructive sleep apnea (added when the profile did not draw it) and a CPAP device (HCPCS E0601) is billed
 * by the primary care group in the first quarter of the coverage, and no later than the first approval's
 * length (prior-auth-rentals.json firstDays) before the last day a service is paid in the period; forced, so
 * it is approved, goes on, and is renewed (authorizeDrafts; when it falls under an approval of the member's own
 * CPAP, that rental goes on). So the renewal shows whenever the coverage holds firstDays such days. None when
 * the member cannot have the condition or the code maps lack the rows.
 */
export function rentalShowcase(ctx: MemberClaimsContext, coverage: CoverageFact): ClaimDraft[] {
  const row = ctx.codeMaps.conditions.get(SLEEP_APNEA);
  const device = [...ctx.codeMaps.procedures.values()].find((p) => p.system === 'hcpcs' && p.code === SHOWCASE_DME);
  const span = daysBetween(coverage.start, minDate(coverage.end, ctx.lastServiceDay));
  if (!row || !device || span < 0) return [];
  // Early enough that the month after the first approval (decided before the service) is still billed and paid in the period.
  const firstDays = ctx.codeMaps.priorAuth.rentals.get(SHOWCASE_DME)?.firstDays ?? 0;
  const date = addDays(coverage.start, ctx.rng.int(0, Math.max(0, Math.min(Math.floor(span / 4), span - firstDays))));
  if (!plausibleFor(row, ctx.ageOn(date), ctx.member.sex)) return [];
  let condition = ctx.conditions.find((c) => c.key === SLEEP_APNEA);
  if (!condition) {
    condition = makeCondition(ctx.rng, row, ctx.member.birthDate, coverage.start, date);
    ctx.conditions.push(condition);
  }
  const visit = professionalClaim(ctx, { coverage, date, condition, forced: true });
  const principal = visit.diagnoses.filter((d) => d.role === 'principal');
  const line = procedureLine(ctx, device, { date, coverage, network: visit.network, diagnosisSequences: [1], placeOfService: '12' });
  return [{ ...visit, diagnoses: principal, lines: [line] }];
}

/** Code-map condition row of obstructive sleep apnea (G47.33), whose equipment is a CPAP or bilevel device. */
const SLEEP_APNEA = 'obstructive-sleep-apnea';

/**
 * A request the coverage plan adds so that the first members show a denied and a pended decision: a CPAP
 * device (HCPCS E0601) ordered by the member's primary care physician — payers authorize positive airway
 * pressure devices beforehand and deny them as not medically necessary when the sleep study does not show
 * the need (Medicare's coverage criteria, LCD L33718). Denied or pended, it has no claim. Pended requests are made in the last ten
 * days of the period, so they are still open at its end.
 */
function showcaseRequest(ctx: MemberClaimsContext, memberKey: string, ordinal: number, decision: 'denied' | 'pended'): PriorAuthFact | undefined {
  const coverage = ctx.medicalCoverage();
  const row = [...ctx.codeMaps.procedures.values()].find((p) => p.system === 'hcpcs' && p.code === SHOWCASE_DME);
  if (!coverage || !row) return undefined;
  const requested = decision === 'pended'
    ? addDays(ctx.profile.period.end, -ctx.rng.int(1, 10))
    : ctx.serviceDate(coverage);
  if (!requested || requested < coverage.start || requested > coverage.end) return undefined;
  const decided = decision === 'denied' ? addDays(requested, ctx.rng.int(1, 4)) : undefined;
  const start = addDays(requested, 14);
  const active = ctx.activeConditions(requested)[0];
  return {
    ordinal,
    number: `PA${requested.slice(0, 4)}${stableHash(`${memberKey}:prior-auth:${ordinal}`, 8).toUpperCase()}`,
    kind: 'dme',
    coverageOrdinal: coverage.ordinal,
    requested,
    ...(decided ? { decided } : {}),
    providerId: ctx.hospital.id,
    practitionerId: ctx.pcp.id,
    service: { start, end: start },
    diagnoses: active ? [ctx.diagnosisOf(active, 1, 'principal')] : [],
    items: [{
      sequence: 1,
      code: { system: 'hcpcs', code: row.code, display: row.display, licensed: false },
      quantity: 1,
      submitted: ctx.charge(row.charge),
      decision,
      ...(decision === 'denied' ? { denial: NOT_MEDICALLY_NECESSARY } : {}),
    }],
  };
}

/** HCPCS E0601: continuous positive airway pressure (CPAP) device, a row of the code maps. */
const SHOWCASE_DME = 'E0601';

/** X12 CARC 50: the payer does not deem the service medically necessary (the usual reason a request is denied). */
const NOT_MEDICALLY_NECESSARY = { carc: '50', display: 'These are non-covered services because this is not deemed a \'medical necessity\' by the payer.' };

/** An approval is valid from its decision for `days` (60 unless a rental's), or to the end of the stay when that is later. */
function validity(decided: IsoDate, serviceEnd: IsoDate, days = 60): { start: IsoDate; end: IsoDate } {
  const end = addDays(decided, days);
  return { start: decided, end: end < serviceEnd ? serviceEnd : end };
}

/** The authorizations requested by `now` (a decision after now is still pending at now). */
export function priorAuthsAsOf(auths: readonly PriorAuthFact[], now: IsoDate): PriorAuthFact[] {
  return auths
    .filter((a) => a.requested <= now)
    .map((a) => (a.decided && a.decided > now
      ? { ...a, decided: undefined, items: a.items.map(({ authorizedUnits: _u, authorizedPeriod: _p, denial: _d, ...i }) => ({ ...i, decision: 'pended' as const })) }
      : a));
}
