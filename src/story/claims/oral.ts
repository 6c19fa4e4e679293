import type { DentalRow } from '../../codemaps/types.js';
import type { CoverageFact, DiagnosisFact, IsoDate } from '../types.js';
import type { MemberClaimsContext } from './context.js';
import type { ClaimDraft, DraftLine } from './draft.js';
import { dentalLine, tableEntry } from './lines.js';

export interface DentalVisit {
  coverage: CoverageFact;
  date: IsoDate;
  /** The first dental visit of the year gets x-rays. */
  firstOfYear: boolean;
  forced?: boolean;
  deny?: boolean;
}


/** A dental check-up: exam and cleaning (fluoride and sealants for children), sometimes a filling or extraction. */
export function oralClaim(ctx: MemberClaimsContext, visit: DentalVisit): ClaimDraft {
  const { rng } = ctx;
  const dentist = ctx.practitioner('dentist');
  const practice = ctx.orgById(dentist.organizationId);
  const age = ctx.ageOn(visit.date);
  const child = age < 14;
  const reason = ctx.codeMaps.visitReasons.get('dental-exam');
  const diagnoses: DiagnosisFact[] = reason
    ? [{ sequence: 1, icd10cm: reason.icd10cm, display: reason.display, role: 'principal' }]
    : [];
  const network = ctx.network(false);
  const options = { date: visit.date, coverage: visit.coverage, network, placeOfService: '11', diagnosisSequences: diagnoses.map((d) => d.sequence) };
  const byUse = (use: DentalRow['use']) => [...ctx.codeMaps.dental.values()].filter((d) => d.use === use);
  const lines: DraftLine[] = [];
  const add = (use: DentalRow['use'], extra: { tooth?: string; surfaces?: string[]; deny?: boolean } = {}) => {
    const rows = byUse(use).filter((r) => !child || !/adult/i.test(r.display));
    const row = rows.find((r) => child && /child/i.test(r.display)) ?? rows[0];
    if (!row) return;
    lines.push(dentalLine(ctx, row, { ...options, tooth: extra.tooth, surfaces: extra.surfaces, denial: ctx.denial('oral', Boolean(extra.deny)) }));
  };
  add('exam');
  add('cleaning');
  if (visit.forced && ctx.showcase?.periodontal && !child) lines.push(periodontalLine(ctx, options));
  if (visit.firstOfYear) add('xray');
  if (child && rng.chance(0.5)) add('fluoride');
  const toothCodes = ctx.codeMaps.tables.get('tooth')?.codes.map((c) => c.code) ?? [];
  const permanentTeeth = toothCodes.filter((c) => /^\d+$/.test(c));
  const primaryTeeth = toothCodes.filter((c) => /^[A-T]$/.test(c));
  const teeth = child && age < 12 && primaryTeeth.length ? primaryTeeth : permanentTeeth;
  if (visit.forced || rng.chance(0.25)) {
    const surfaces = ctx.codeMaps.tables.get('surface')?.codes.map((c) => c.code) ?? [];
    add('restoration', { tooth: rng.pick(teeth), surfaces: surfaces.length ? [rng.pick(surfaces)] : undefined, deny: visit.deny });
  } else if (!child && rng.chance(0.05)) {
    add('extraction', { tooth: rng.pick(permanentTeeth), deny: visit.deny });
  }
  if (visit.deny && !lines.some((l) => l.denialReason)) {
    const last = lines[lines.length - 1]!;
    const denial = ctx.denial('oral', true)!;
    lines[lines.length - 1] = { ...last, denialReason: denial, price: { ...last.price, denial: { group: denial.group } } };
  }
  const orthodontic = age >= 11 && age <= 17 && (Boolean(visit.forced) || rng.chance(0.08));
  const denture = age >= 60 && ((visit.forced && Boolean(ctx.showcase?.denture)) || rng.chance(0.08));
  if (orthodontic) add('orthodontic');
  if (denture) add('prosthesis');
  // Wisdom teeth (1, 16, 17, 32) are the ones adults most often lack.
  const missing = !child && ((visit.forced && Boolean(ctx.showcase?.periodontal)) || rng.chance(0.2)) ? [rng.pick(['1', '16', '17', '32'].filter((t) => permanentTeeth.includes(t)))] : [];
  return {
    type: 'oral',
    coverageOrdinal: visit.coverage.ordinal,
    serviceStart: visit.date,
    serviceEnd: visit.date,
    billingProviderId: practice.id,
    facilityId: practice.id,
    renderingPractitionerId: dentist.id,
    network,
    diagnoses,
    procedures: [],
    lines,
    oral: {
      missingTeeth: missing,
      ...(orthodontic ? { orthodonticMonths: rng.int(18, 30) } : {}),
      ...(denture ? { prosthesisInitial: rng.chance(0.7) } : {}),
    },
    forced: visit.forced,
  };
}

/**
 * Scaling and root planing of two or three neighbouring teeth in one quadrant (CDT D4342): the first
 * tooth is the line's body site, the others additional body sites. Billed the same day as the
 * prophylaxis, it carries modifier 59 (distinct procedural service) so that it is not bundled into it.
 */
function periodontalLine(ctx: MemberClaimsContext, options: Parameters<typeof dentalLine>[2]): DraftLine {
  const row = [...ctx.codeMaps.dental.values()].find((d) => d.use === 'periodontal');
  if (!row) throw new Error('code-maps/dental.json has no periodontal row');
  // Universal numbering: quadrants are 1-8, 9-16, 17-24, 25-32; skip the wisdom teeth at each end.
  const quadrant = ctx.rng.int(0, 3);
  const count = ctx.rng.int(2, 3);
  const first = quadrant * 8 + ctx.rng.int(2, 7 - count);
  const teeth = Array.from({ length: count }, (_, i) => String(first + i));
  const line = dentalLine(ctx, row, { ...options, tooth: teeth[0] });
  return { ...line, additionalTeeth: teeth.slice(1), modifiers: [{ system: 'cpt', ...tableEntry(ctx, 'cpt-modifiers', '59') }] };
}
