import { procedureKeyOf } from '../../codemaps/procedure-key.js';
import type { Band } from '../../codemaps/clinical-labs-vitals.js';
import type { Rng } from '../../util/rng.js';
import type { ClaimFact, IsoDate } from '../types.js';
import type { ClinicalInput } from './types.js';

/** One billed test as the clinic saw it: ordered, collected and resulted on the claim line's date. */
export interface TestOrderFact {
  /** 1-based over the member's lab orders and clinical results together. */
  ordinal: number;
  procedureKey: string;
  claimOrdinal: number;
  /** The visit the test was billed on, when it is one (not for ambulance lines). */
  encounterOrdinal?: number;
  date: IsoDate;
  /** Ordering practitioner: the line's rendering, else attending or referring practitioner. */
  practitionerId?: string;
  /** Performing organization: the claim's facility, else its billing provider. */
  organizationId: string;
  /** Done in the clinician's office (a professional claim at a clinic): the rendering clinician performed it too. */
  inOffice?: boolean;
  /** Indexes into story.conditions that the test is for. */
  reasonConditions: number[];
}

export interface LabResultFact {
  /** Index into the panel row's analytes, then (from analytes.length on) into its qualitative results. */
  analyte: number;
  /** Absent when the result was not obtained (dataAbsentReason), or for a qualitative result. */
  value?: number;
  /** A qualitative result's words. */
  text?: string;
  /** A qualitative result's coded answer (SNOMED CT). */
  coded?: { code: string; display: string };
  /** A: abnormal (a qualitative result other than the normal one). */
  interpretation?: 'L' | 'N' | 'H' | 'A';
}

export interface LabOrderFact extends TestOrderFact {
  results: LabResultFact[];
  /** The member's latest lab report is also in the document repository (a laboratory report note). */
  published?: boolean;
}

export interface ClinicalResultFact extends TestOrderFact {
  value?: number;
  finding?: string;
  /** The finding's SNOMED CT concept, when the code map has one for it. */
  findingCode?: { code: string; display: string };
}

/** A value uniformly inside a band, rounded to the row's decimals (the band is closed). */
export function drawIn(rng: Rng, band: Band, decimals: number): number {
  const f = 10 ** decimals;
  const lo = Math.ceil(band.low * f);
  const hi = Math.floor(band.high * f);
  return rng.int(lo, Math.max(lo, hi)) / f;
}

/** The band for the member: the first of their conditions (in story order) that has one, else the normal band. */
export function bandFor(normal: Band, conditions: Record<string, Band> | undefined, conditionKeys: readonly string[]): { band: Band; condition?: string } {
  for (const key of conditionKeys) {
    const band = conditions?.[key];
    if (band) return { band, condition: key };
  }
  return { band: normal };
}

/** Claim lines carrying a test code, one order per (claim, procedure, date); a replaced claim's lines are left to its correction. */
export function billedTests(input: ClinicalInput, keys: ReadonlySet<string>): TestOrderFact[] {
  const { story, codeMaps, encounters } = input;
  const replaced = new Set(story.claims.map((c) => c.replaces).filter(Boolean));
  const seen = new Set<string>();
  const orders: TestOrderFact[] = [];
  const claims = story.claims.filter((c) => c.type !== 'pharmacy' && c.type !== 'oral' && !replaced.has(c.claimNumber));
  for (const claim of claims) {
    for (const line of claim.lines) {
      const key = line.code.system === 'cpt' || line.code.system === 'hcpcs' ? procedureKeyOf(codeMaps.procedures, line.code.code) : undefined;
      // A line after now is later in a stay that goes on past now: not done yet.
      if (!key || !keys.has(key) || line.denial || line.serviceDate > input.now) continue;
      const id = `${claim.ordinal}|${key}|${line.serviceDate}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const encounter = encounters.find((e) => e.claimOrdinals.includes(claim.ordinal));
      orders.push({
        ordinal: 0,
        procedureKey: key,
        claimOrdinal: claim.ordinal,
        ...(encounter ? { encounterOrdinal: encounter.ordinal } : {}),
        date: line.serviceDate,
        ...orderingPractitioner(claim),
        organizationId: claim.facilityId ?? claim.billingProviderId,
        ...(inOffice(input, claim) ? { inOffice: true } : {}),
        reasonConditions: reasons(input, key, line.serviceDate),
      });
    }
  }
  return orders.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.claimOrdinal - b.claimOrdinal || (a.procedureKey < b.procedureKey ? -1 : 1)));
}

function inOffice(input: ClinicalInput, claim: ClaimFact): boolean {
  const place = claim.facilityId ?? claim.billingProviderId;
  return claim.type === 'professional' && Boolean(claim.renderingPractitionerId) && input.directory.organizations.find((o) => o.id === place)?.kind === 'clinic';
}

function orderingPractitioner(claim: ClaimFact): { practitionerId?: string } {
  const id = claim.renderingPractitionerId ?? claim.attendingPractitionerId ?? claim.referringPractitionerId;
  return id ? { practitionerId: id } : {};
}

/** The member's conditions, already present on the date, that bring this test. */
function reasons(input: ClinicalInput, procedureKey: string, date: IsoDate): number[] {
  const out: number[] = [];
  input.story.conditions.forEach((c, i) => {
    if (c.onset <= date && input.codeMaps.conditions.get(c.key)?.procedures.includes(procedureKey)) out.push(i);
  });
  return out;
}
