import { addDays, daysBetween, type IsoDate } from '../util/dates.js';
import { stableHash } from '../util/rng.js';
import type { MemberClaimsContext } from './claims/context.js';
import type { ClaimDraft } from './claims/draft.js';
import type { PriorAuthFact, PriorAuthKind } from './types.js';

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

/** CPT ranges of advanced imaging (CT, MRI, nuclear cardiology, PET). */
const IMAGING: readonly [number, number][] = [
  [70336, 70336], [70450, 70498], [70540, 70559], [71250, 71275], [71550, 71555], [72125, 72133], [72141, 72159],
  [72191, 72198], [73200, 73206], [73218, 73225], [73700, 73706], [73718, 73725], [74150, 74185], [74261, 74263],
  [77046, 77049], [78451, 78454], [78811, 78816],
];

/** Which kind of authorization a draft needs, and the index of the line it is for (undefined: none needed). */
export function authorizationNeeded(draft: ClaimDraft): { kind: PriorAuthKind; line: number } | undefined {
  if (draft.type === 'inpatient' && draft.institutional?.admissionType === '3') return { kind: 'inpatient-admission', line: 0 };
  if (draft.type !== 'professional' && draft.type !== 'outpatient') return undefined;
  const i = draft.lines.findIndex((l) => l.code.system === 'cpt' && IMAGING.some(([lo, hi]) => Number(l.code.code) >= lo && Number(l.code.code) <= hi));
  if (i >= 0) return { kind: 'advanced-imaging', line: i };
  const d = draft.lines.findIndex((l) => l.code.system === 'hcpcs' && /^(E[0-9]|K0)/.test(l.code.code));
  if (d >= 0) return { kind: 'dme', line: d };
  return undefined;
}

/**
 * Requests an authorization for every draft that needs one and decides it: approved drafts go on to be
 * claims that carry the authorization number; denied and pended ones are not done, so they have no
 * claim. Drafts the coverage plan forces are always approved (the first members show every claim shape);
 * A DME approval covers later fills of the same equipment within its period. Coverage-plan members with
 * `priorAuth` also get a denied or pended imaging request (showcaseRequest). Draws from the member's
 * generator only for the drafts that need authorization and for those members.
 */
export function authorizeDrafts(ctx: MemberClaimsContext, memberKey: string, drafts: ClaimDraft[]): { drafts: ClaimDraft[]; auths: PriorAuthFact[] } {
  const { rng } = ctx;
  const kept: ClaimDraft[] = [];
  const auths: PriorAuthFact[] = [];
  /** Approvals by DME code: a later fill of the same equipment within the approval's period uses it. */
  const standing = new Map<string, PriorAuthFact>();
  for (const draft of drafts) {
    const need = authorizationNeeded(draft);
    if (!need) {
      kept.push(draft);
      continue;
    }
    const codeKey = need.kind === 'dme' ? draft.lines[need.line]!.code.code : undefined;
    const prior = codeKey ? standing.get(codeKey) : undefined;
    const period = prior?.items[0]?.authorizedPeriod;
    if (prior && period && period.start <= draft.serviceStart && draft.serviceEnd <= period.end) {
      kept.push({ ...draft, priorAuthNumber: prior.number });
      continue;
    }
    // A renewal: the equipment was approved before, but this fill falls outside that approval.
    const previousNumber = prior?.number;
    const roll = rng.next();
    const decision = draft.forced ? 'approved' : roll < DENIED ? 'denied' : roll < DENIED + PENDED ? 'pended' : 'approved';
    const requested = addDays(draft.serviceStart, -rng.int(5, 21));
    const decided = decision === 'pended' ? undefined : addDays(requested, rng.int(1, 4));
    const line = draft.lines[need.line]!;
    const units = need.kind === 'inpatient-admission' ? Math.max(1, daysBetween(draft.serviceStart, draft.serviceEnd)) : line.quantity;
    const ordinal = auths.length + 1;
    const number = `PA${draft.serviceStart.slice(0, 4)}${stableHash(`${memberKey}:prior-auth:${ordinal}`, 8).toUpperCase()}`;
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
        ...(decision === 'approved' ? { authorizedUnits: units, authorizedPeriod: validity(decided!, draft.serviceEnd) } : {}),
        ...(decision === 'denied' ? { denial: NOT_MEDICALLY_NECESSARY } : {}),
      }],
    };
    auths.push(fact);
    if (decision === 'approved') {
      kept.push({ ...draft, priorAuthNumber: number });
      if (codeKey) standing.set(codeKey, fact);
    }
  }
  const shown = ctx.showcase?.priorAuth;
  if (shown) {
    const request = showcaseRequest(ctx, memberKey, auths.length + 1, shown);
    if (request) auths.push(request);
  }
  return { drafts: kept, auths };
}

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

/** An approval is valid from its decision for 60 days, or to the end of the stay when that is later. */
function validity(decided: IsoDate, serviceEnd: IsoDate): { start: IsoDate; end: IsoDate } {
  const end = addDays(decided, 60);
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
