import type { ClaimFact, IsoDate } from '../types.js';
import { addDays } from '../../util/dates.js';
import { simulateAllergies, type AllergyFact } from './medications-allergies.js';
import { simulateImmunizations, type ImmunizationFact } from './medications-immunizations.js';
import type { ClinicalInput } from './types.js';

export type { AllergyFact } from './medications-allergies.js';
export type { ImmunizationFact } from './medications-immunizations.js';

/** One fill of a prescription: a pharmacy claim. A denied claim is a fill the pharmacy did not hand over. */
export interface DispenseFact {
  /** 1-based over the member's fills, in claim order: the resource id suffix. */
  ordinal: number;
  claimOrdinal: number;
  date: IsoDate;
  quantity: number;
  daysSupply: number;
  refillNumber: number;
  pharmacyId: string;
  declined: boolean;
}

/** One prescription (prescription number) and the fills it authorized. */
export interface PrescriptionFact {
  /** 1-based over the member's prescriptions, in order of first fill. */
  ordinal: number;
  prescriptionNumber: string;
  drugKey: string;
  rxnorm: string;
  ndc: string;
  authoredOn: IsoDate;
  prescriberId: string;
  /** The visit with the prescriber closest before the first fill, if any. */
  encounterOrdinal?: number;
  /** Index into story.conditions of the condition the drug treats. */
  conditionIndex?: number;
  refillsAuthorized: number;
  daysSupply: number;
  quantity: number;
  status: 'active' | 'completed' | 'stopped';
  /** Carried as a Medication resource (medicationReference) rather than a code. */
  medicationAsResource: boolean;
  /** The record was reported by the dispensing pharmacy (reportedReference) rather than flagged true. */
  reportedByPharmacy: boolean;
  /** The record was reported by the prescriber's office (reportedReference to the Practitioner), e.g. from its EHR feed. */
  reportedByPrescriber?: boolean;
  fills: DispenseFact[];
}

export interface MedicationFacts {
  prescriptions: PrescriptionFact[];
  immunizations: ImmunizationFact[];
  allergies: AllergyFact[];
}

export function simulateMedications(input: ClinicalInput): MedicationFacts {
  const prescriptions = prescriptionsFromClaims(input);
  return {
    prescriptions,
    immunizations: simulateImmunizations(input),
    allergies: simulateAllergies(input, prescriptions),
  };
}

/** Prescriptions read off the pharmacy claims: one per prescription number, its fills in date order. */
function prescriptionsFromClaims(input: ClinicalInput): PrescriptionFact[] {
  const { story, encounters, rng, lastDay } = input;
  const byNumber = new Map<string, ClaimFact[]>();
  const pharmacyClaims = story.claims.filter((c) => c.type === 'pharmacy' && c.pharmacy).sort((a, b) => a.ordinal - b.ordinal);
  for (const claim of pharmacyClaims) {
    const number = claim.pharmacy!.prescriptionNumber;
    byNumber.set(number, [...(byNumber.get(number) ?? []), claim]);
  }
  let dispenseOrdinal = 0;
  const fillOrdinal = new Map(pharmacyClaims.map((c) => [c.ordinal, ++dispenseOrdinal]));
  const groups = [...byNumber.values()].sort((a, b) => cmp(a[0]!.serviceStart, b[0]!.serviceStart) || a[0]!.ordinal - b[0]!.ordinal);
  return groups.map((claims, i) => {
    const first = claims[0]!;
    const rx = first.pharmacy!;
    const prescriberId = first.prescriberId ?? first.billingProviderId;
    const visit = encounters
      .filter((e) => e.practitionerId === prescriberId && e.start <= first.serviceStart)
      .sort((a, b) => cmp(b.start, a.start) || b.ordinal - a.ordinal)[0];
    const authoredOn = visit ? visit.start : addDays(first.serviceStart, -rng.int(0, 2));
    const conditionIndex = reasonCondition(input, rx.drugKey, first.serviceStart);
    const last = claims[claims.length - 1]!;
    const remaining = Math.max(0, rx.refillsAuthorized - last.pharmacy!.refillNumber);
    const supplyEnd = addDays(last.serviceStart, rx.daysSupply * (remaining + 1));
    const ongoing = supplyEnd >= lastDay;
    const status = !ongoing ? 'completed' : story.member.deceasedDate ? 'stopped' : 'active';
    const ordinal = i + 1;
    return {
      ordinal,
      prescriptionNumber: rx.prescriptionNumber,
      drugKey: rx.drugKey,
      rxnorm: rx.rxnorm,
      ndc: rx.ndc,
      authoredOn,
      prescriberId,
      ...(visit ? { encounterOrdinal: visit.ordinal } : {}),
      ...(conditionIndex !== undefined ? { conditionIndex } : {}),
      refillsAuthorized: rx.refillsAuthorized,
      daysSupply: rx.daysSupply,
      quantity: rx.quantity,
      status,
      // Deterministic shapes so that a small population shows both choices of medication[x] and reported[x].
      medicationAsResource: ordinal === 1 && story.index % 5 === 2,
      reportedByPharmacy: ordinal === 1 && story.index % 5 === 4,
      reportedByPrescriber: ordinal === 1 && story.index % 5 === 3,
      fills: claims.map((c) => ({
        ordinal: fillOrdinal.get(c.ordinal)!,
        claimOrdinal: c.ordinal,
        date: c.serviceStart,
        quantity: c.pharmacy!.quantity,
        daysSupply: c.pharmacy!.daysSupply,
        refillNumber: c.pharmacy!.refillNumber,
        pharmacyId: c.billingProviderId,
        declined: c.outcome === 'denied' || c.lines.every((l) => Boolean(l.denial)),
      })),
    };
  });
}

/** The member's condition the drug treats: the latest with onset on or before the fill. */
function reasonCondition(input: ClinicalInput, drugKey: string, fill: IsoDate): number | undefined {
  let best: number | undefined;
  input.story.conditions.forEach((c, i) => {
    const row = input.codeMaps.conditions.get(c.key);
    if (!row?.drugs.includes(drugKey) || c.onset > fill) return;
    if (best === undefined || input.story.conditions[best]!.onset <= c.onset) best = i;
  });
  return best;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
