/**
 * The member story: plain data about one simulated member, with no FHIR in it.
 * Money is in integer cents so that the adjudication arithmetic is exact.
 */
import type { PriorAuthKind } from '../codemaps/types.js';
import type { DrugTier } from '../profile/pharmacy-tiers.js';
import type { ClaimType, PlanType, Sex } from '../profile/types.js';
import type { IsoDate } from '../util/dates.js';
import type { Cents } from '../util/money.js';
import type { ClinicalFacts } from './clinical/types.js';

export type { Cents, IsoDate };

export interface Address {
  line: string[];
  city: string;
  state: string;
  postalCode: string;
  country: 'US';
}

export interface PersonName {
  given: string[];
  family: string;
  prefix?: string;
  suffix?: string;
}

export interface PersonFact {
  name: PersonName;
  sex: Sex;
  birthDate: IsoDate;
  deceasedDate?: IsoDate;
  race: { code: string; display: string };
  ethnicity: { code: string; display: string };
  language: { code: string; display: string };
  address: Address;
  phone: string;
  email: string;
}

export type Relationship = 'self' | 'spouse' | 'child';

/**
 * Current reason for Medicare entitlement (CMS CREC/OREC: 0 old age, 1 disability insurance
 * benefits, 2 ESRD, 3 both DIB and ESRD).
 */
export type MedicareEntitlement = 'age' | 'disability' | 'esrd' | 'disability-esrd';

export interface MemberFact extends PersonFact {
  /** Payer member id, e.g. FSD1234567-01 (subscriber id + dependent suffix). */
  memberId: string;
  /** Id that stays the same across the member's coverages. */
  uniqueMemberId: string;
  /** Medicare Beneficiary Identifier for Medicare Advantage members. */
  mbi?: string;
  /** Why a Medicare Advantage member is entitled to Medicare: 'age' at 65+, else disability and/or ESRD. */
  medicareEntitlement?: MedicareEntitlement;
  /** Medicaid id for Medicaid members. */
  medicaidId?: string;
  relationship: Relationship;
  subscriberId: string;
  /** The subscriber when the member is a dependent (becomes a RelatedPerson). */
  subscriber?: PersonFact;
}

export interface CostSharingState {
  deductibleMet: Cents;
  outOfPocket: Cents;
}

export interface CoverageFact {
  ordinal: number;
  planId: string;
  planName: string;
  planType: PlanType;
  group: { id: string; name: string };
  start: IsoDate;
  end: IsoDate;
  /** The end is not known at the run's "now" (it comes from an event after now): the Coverage shows no end. */
  openEnd?: boolean;
  status: 'active' | 'cancelled';
}

export interface ConditionFact {
  key: string;
  onset: IsoDate;
  /** Index into the condition row's icd10cm list. */
  icd10Index: number;
  /**
   * The drugs the member takes for it (chosen with the condition, src/story/conditions.ts); the
   * claims fill each one (src/story/simulate.ts): a chronic regimen on its days supply from `start`
   * to the end of coverage or death, a new prescription number after `refills` refills; an acute
   * one once. Absent: the claims pick one of the condition row's drugs.
   */
  regimens?: DrugRegimen[];
}

/** One drug of a condition's treatment, as the pharmacy claims fill it. */
export interface DrugRegimen {
  /** Key into code-maps drugs. */
  drugKey: string;
  /** First fill; not before the condition's onset. */
  start: IsoDate;
  /** Days one fill lasts (the drug row's typical fill unless the regimen says otherwise). */
  daysSupply: number;
  /** Refills a prescription allows before a new one is written. */
  refills: number;
  /** Filled all year (maintenance) or once (acute). */
  chronic: boolean;
}

export interface DiagnosisFact {
  sequence: number;
  icd10cm: string;
  display: string;
  role: 'principal' | 'admitting' | 'secondary' | 'other' | 'patientreasonforvisit' | 'externalcauseofinjury';
  /** Present on admission (inpatient): Y, N, U, W. */
  onAdmission?: 'Y' | 'N' | 'U' | 'W';
  /** Condition key this diagnosis comes from, when it does. */
  conditionKey?: string;
}

export interface ProcedureFact {
  sequence: number;
  pcs: string;
  display: string;
  date: IsoDate;
  role: 'principal' | 'other';
}

export interface LineAmounts {
  submitted: Cents;
  /** Allowed ("eligible") amount. */
  allowed: Cents;
  /** Contractual reduction: submitted − allowed − noncovered (in network). */
  discount: Cents;
  deductible: Cents;
  copay: Cents;
  coinsurance: Cents;
  /** Amount the plan does not cover that the member owes (denials, balance billing). */
  noncovered: Cents;
  /** Paid by the plan. */
  benefit: Cents;
  priorPayerPaid: Cents;
  /** deductible + copay + coinsurance + noncovered. */
  memberLiability: Cents;
}

export interface LineFact {
  sequence: number;
  serviceDate: IsoDate;
  serviceEnd?: IsoDate;
  /** The procedure or product; 'not-applicable' for institutional lines billed by revenue code alone (e.g. room and board). */
  code: { system: 'cpt' | 'hcpcs' | 'cdt' | 'ndc' | 'not-applicable'; code: string; display: string; licensed: boolean };
  revenue?: { code: string; display: string };
  modifiers: { system: 'cpt' | 'hcpcs'; code: string; display: string }[];
  placeOfService?: string;
  quantity: number;
  diagnosisSequences: number[];
  tooth?: string;
  surfaces?: string[];
  amounts: LineAmounts;
  /** Set when the line is denied: X12 CARC code (and NCPDP reject code on pharmacy claims); the plan then pays nothing. */
  denial?: { carc: string; display: string; ncpdpReject?: string };
  allowedUnits?: number;
  /** Teeth after the first (in `tooth`) that a multi-tooth procedure covers: X12 837D additional body sites. */
  additionalTeeth?: string[];
  /** Ingredients of a compound prescription (NCPDP compound segment), each a real NDC product. */
  ingredients?: { ndc: string; display: string; quantity: number; unit: string }[];
}

export interface InstitutionalFacts {
  typeOfBill: string;
  pointOfOrigin: string;
  admissionType: string;
  dischargeStatus: string;
  drg?: string;
  admissionPeriod?: { start: IsoDate; end: IsoDate };
  medicalRecordNumber: string;
  patientAccountNumber: string;
}

export interface PharmacyFacts {
  drugKey: string;
  rxnorm: string;
  ndc: string;
  daysSupply: number;
  quantity: number;
  /** 0 for the first fill. */
  refillNumber: number;
  refillsAuthorized: number;
  dawCode: string;
  brandGeneric: string;
  rxOrigin: string;
  compound: string;
  prescriptionNumber: string;
  /** The drug's tier on the plan's formulary (src/story/formulary.ts): its copay or coinsurance is the tier's. */
  tier: DrugTier;
}

export interface AmbulanceFacts {
  /** X12 ambulance transport reason code. */
  reason: string;
  miles: number;
  weightLb: number;
  pickup: string;
  dropoff: string;
  stretcherPurpose: string;
  roundTripPurpose?: string;
}

export interface OralFacts {
  missingTeeth: string[];
  orthodonticMonths?: number;
  prosthesisInitial?: boolean;
}

export interface ClaimFact {
  ordinal: number;
  type: ClaimType;
  /** Payer's claim number (the EOB's unique claim id). */
  claimNumber: string;
  coverageOrdinal: number;
  billingProviderId: string;
  facilityId?: string;
  renderingPractitionerId?: string;
  attendingPractitionerId?: string;
  referringPractitionerId?: string;
  operatingPractitionerId?: string;
  prescriberId?: string;
  serviceStart: IsoDate;
  serviceEnd: IsoDate;
  received: IsoDate;
  adjudicated: IsoDate;
  /** Absent when the claim is adjudicated but not yet paid at the run's "now". */
  paymentDate?: IsoDate;
  outcome: 'paid' | 'partiallypaid' | 'denied';
  network: 'innetwork' | 'outofnetwork';
  payee: 'provider' | 'subscriber';
  diagnoses: DiagnosisFact[];
  procedures: ProcedureFact[];
  lines: LineFact[];
  totals: LineAmounts;
  institutional?: InstitutionalFacts;
  pharmacy?: PharmacyFacts;
  oral?: OralFacts;
  ambulance?: AmbulanceFacts;
  /** The prior authorization number the service was approved under (src/story/prior-auth.ts). */
  priorAuthNumber?: string;
  /** Claim number of the claim this one replaces, when it is a corrected claim. */
  replaces?: string;
  processNote?: string;
  /** The provider's own record of the patient on professional and oral claims (CMS-1500 box 26, 837 REF*EA). */
  patientRecord?: { medicalRecordNumber: string; patientAccountNumber: string };
  /**
   * Institutional claims the payer prices as a whole (an MS-DRG, a per-visit case rate) and reports
   * at claim level: the EOB gives the amounts in the header adjudication and none on the lines
   * (CARIN BB allows one or the other). The line amounts here are then the payer's allocation.
   */
  claimLevelAdjudication?: boolean;
}

export type { PriorAuthKind } from '../codemaps/types.js';

/** One item of a prior authorization request and the payer's decision on it (src/story/prior-auth.ts). */
export interface PriorAuthItemFact {
  sequence: number;
  code: LineFact['code'];
  /** Units requested: days of the stay, or the line's units. */
  quantity: number;
  /** The provider's charge for the service, cents. */
  submitted: Cents;
  decision: 'approved' | 'denied' | 'pended';
  authorizedUnits?: number;
  /** When the approval may be used. */
  authorizedPeriod?: { start: IsoDate; end: IsoDate };
  /** X12 CARC of a denial. */
  denial?: { carc: string; display: string };
}

/** A prior authorization request for a planned service: approved ones lead to the claim that carries its number; denied or pended ones to none. */
export interface PriorAuthFact {
  ordinal: number;
  /** The payer's authorization number (the claim's preAuthRef). */
  number: string;
  kind: PriorAuthKind;
  coverageOrdinal: number;
  /** The number of the earlier approval this request renews (the same equipment, outside that approval's period). */
  previousNumber?: string;
  requested: IsoDate;
  /** Absent while pended. */
  decided?: IsoDate;
  /** The requesting provider organization (the facility or the billing provider). */
  providerId: string;
  practitionerId?: string;
  /** The planned service dates. */
  service: { start: IsoDate; end: IsoDate };
  diagnoses: DiagnosisFact[];
  items: PriorAuthItemFact[];
}

export interface MemberStory {
  index: number;
  /** Resource id base, deterministic from (profile name, seed, index): memberKey in src/story/run-keys.ts. */
  key: string;
  member: MemberFact;
  coverages: CoverageFact[];
  conditions: ConditionFact[];
  /** The adjudicated claims at the run's "now" (the EOBs). */
  claims: ClaimFact[];
  /** Claims serviced by now but not adjudicated yet: no EOB; their visits are in the clinical record. */
  inFlightClaims?: ClaimFact[];
  /** Prior authorization requests made by now (PDex PriorAuthorization). */
  priorAuthorizations?: PriorAuthFact[];
  /** The clinical record (US Core), derived from the same events as the claims. */
  clinical: ClinicalFacts;
}

export type ProviderKind = 'hospital' | 'clinic' | 'pharmacy' | 'dental-practice' | 'ambulance';

export interface ProviderOrgFact {
  id: string;
  kind: ProviderKind;
  name: string;
  npi: string;
  tin: string;
  taxonomy: string;
  address: Address;
  phone: string;
}

export interface PractitionerFact {
  id: string;
  npi: string;
  tin: string;
  name: PersonName;
  sex: Sex;
  taxonomy: string;
  role: 'primary-care' | 'specialist' | 'dentist' | 'pharmacist';
  organizationId: string;
  address: Address;
  phone: string;
}

export interface PayerFact {
  id: string;
  name: string;
  identifiers: { type: 'payerid' | 'naiccode' | 'tax'; value: string }[];
  address: Address;
  phone: string;
}

/** Everything shared by all members, derived from the profile alone (ids: directoryKey in src/story/run-keys.ts). */
export interface Directory {
  payer: PayerFact;
  organizations: ProviderOrgFact[];
  practitioners: PractitionerFact[];
}
