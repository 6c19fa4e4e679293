import type { ClinicalCodeMaps } from './clinical.js';
import type { PricingTable } from './pricing.js';

/**
 * Shapes of the code tables in `code-maps/*.json`. Every row names its source; sets under licence
 * carry `licensed: true` and are kept to the few codes the profiles need.
 */
export type Side = 'right' | 'left';

/**
 * A plan's line of business as profiles name it (`plans[].type`); the code maps price each book but dental by it
 * (pricing.json `books`).
 */
export type PlanType = 'commercial' | 'medicare-advantage' | 'medicaid' | 'dental';

/** The kinds of encounter the story simulates (the code maps key visit patterns and care rows by them). */
export type EncounterKind = 'office' | 'preventive' | 'emergency' | 'outpatient' | 'inpatient' | 'dental';

export interface Coded {
  code: string;
  display: string;
}

export interface SourcedRow {
  /** Where the code was checked: a publication, a URL or an IG package file. */
  source: string;
}

/**
 * What kind of prior authorization a service needs (src/story/prior-auth.ts): an elective inpatient admission
 * (NUBC admission type 3), advanced diagnostic imaging (MIPPA 2008 §135), durable medical equipment (DMEPOS).
 */
export type PriorAuthKind = 'inpatient-admission' | 'advanced-imaging' | 'dme';

/**
 * A code range whose services need prior authorization (code-maps/prior-auth-services.json): codes of `system`
 * from `from` to `to` inclusive — CPT compared as five-digit numbers, HCPCS Level II as text of one shape (E0000).
 */
export interface PriorAuthServiceRow extends SourcedRow {
  kind: Exclude<PriorAuthKind, 'inpatient-admission'>;
  system: 'cpt' | 'hcpcs';
  from: string;
  to: string;
  /** What the range holds, for people reading the table. */
  what: string;
}

/**
 * Rented equipment authorized a period at a time (code-maps/prior-auth-rentals.json): the first approval runs
 * `firstDays` days, each renewal `renewalDays` days; `continues` (0–1) is the share of members whose rental goes on
 * past the first period.
 */
export interface PriorAuthRentalRow extends SourcedRow {
  hcpcs: string;
  what: string;
  firstDays: number;
  renewalDays: number;
  continues: number;
}

/** The prior-authorization tables: which services need one, and which equipment is rented. */
export interface PriorAuthTables {
  services: readonly PriorAuthServiceRow[];
  /** By HCPCS code. */
  rentals: ReadonlyMap<string, PriorAuthRentalRow>;
}

/** A condition (code-maps/catalog/conditions.json, shaped by src/codemaps/catalog.ts). */
export interface ConditionRow extends SourcedRow {
  key: string;
  display: string;
  /** cardiometabolic, infection, mental-health, injury, pregnancy, … (catalog categories). */
  category: string;
  snomed: Coded;
  /** Billable ICD-10-CM codes; the first is the usual one. `side` where the code names one (so procedures match it). */
  icd10cm: (Coded & { side?: Side })[];
  /** Drug keys (catalog drugs whose `conditions` name what treats it), in catalog order. */
  drugs: string[];
  /** Extra professional visits per member-year this condition brings. */
  visitsPerYear: number;
  /** Keys into the procedures table (professional-procedures.json rows and the catalog's HCPCS codes) billed at its visits. */
  procedures: string[];
  /** LOINC codes (keys of catalog/labs.json) of the labs it brings. */
  labs: string[];
  /** MS-DRG codes an admission for it groups to (medical DRGs and those of its operations). */
  drgs: string[];
  /** ICD-10-PCS codes (keys of `pcs`) of the inpatient operations it may bring. */
  pcs: string[];
  chronic: boolean;
  /** The CMS Chronic Conditions Warehouse condition its codes fall in (catalog `ccw.name`), acute ones (AMI, stroke) included. */
  ccw?: string;
  /**
   * More specific forms of it (mixed hyperlipidemia of hyperlipidemia, diabetic CKD of type 2 diabetes):
   * a member drawn with this condition has one of them instead, in these shares (summing under 1).
   */
  variants: { row: ConditionRow; share: number }[];
}

/** A drug package (code-maps/catalog/drugs.json). */
export interface DrugRow extends SourcedRow {
  key: string;
  rxnorm: Coded;
  /** 11-digit NDC (5-4-2 without dashes) of a real package with that RxNorm. */
  ndc: Coded;
  brand: boolean;
  /** A typical fill: days supply, quantity in quantityUnit (NCPDP: EA tablets/capsules, ML pens), refills on the prescription. */
  daysSupply: number;
  quantity: number;
  quantityUnit: 'EA' | 'ML';
  refills: number;
  /** Taken all year (filled on its days supply) rather than once after a visit. */
  chronic: boolean;
  ingredient: string;
  /** USP Medicare Model Guidelines v8.0 class. */
  therapeuticClass: string;
  /** The catalog's keys of what it treats. */
  conditions: string[];
  /** Typical cost of one fill, dollars (best-effort estimate: src/codemaps/catalog.ts estimatedFillCost). */
  cost: number;
  /** Where each code was checked (catalog/drugs.json `source.ndc`, `source.rxnorm`); `source` joins the two. */
  sourceBySystem: { ndc: string; rxnorm: string };
}

export interface ProcedureRow extends SourcedRow {
  key: string;
  system: 'cpt' | 'hcpcs';
  code: string;
  display: string;
  licensed: boolean;
  /** What the code is used for in the simulation. */
  use: 'office-visit' | 'new-visit' | 'preventive' | 'lab' | 'imaging' | 'injection' | 'ed-visit' | 'surgery' | 'ambulance' | 'therapy' | 'supply';
  /** Typical billed charge, dollars. */
  charge: number;
  /** Revenue code used when billed on an institutional claim. */
  revenue?: string;
  /** The code is billed with a side (RT/LT modifier). */
  laterality?: boolean;
  /** Age range the code is for (preventive visit codes are age-specific). */
  ageMin?: number;
  ageMax?: number;
}

/** The X12 claim adjustment group codes of 005010 (CR, corrections and reversals, is not one since 5010). */
export type AdjustmentGroup = 'CO' | 'OA' | 'PI' | 'PR';

/** Why a claim line is denied: an X12 CARC with its group (CO = provider liability, PR = patient). */
export interface DenialRow extends SourcedRow {
  carc: string;
  display: string;
  /**
   * X12 claim adjustment group code (835 CAS01, 005010): CO contractual obligation, OA other adjustment, PI payer
   * initiated reduction (the provider's or the payer's, written off), PR patient responsibility (the member owes it).
   */
  group: AdjustmentGroup;
  /** Claim types the denial fits. */
  claimTypes: string[];
  /** NCPDP reject code for the same reason on a pharmacy claim. */
  ncpdpReject?: string;
}

/** Diagnosis codes for visits that are not about a condition (exams, screening). */
export interface VisitReasonRow extends SourcedRow {
  key: string;
  icd10cm: string;
  display: string;
  ageMin: number;
  ageMax: number;
}

export interface DentalRow extends SourcedRow {
  key: string;
  code: string;
  display: string;
  licensed: true;
  use: 'exam' | 'cleaning' | 'xray' | 'restoration' | 'extraction' | 'crown' | 'fluoride' | 'sealant' | 'orthodontic' | 'prosthesis' | 'periodontal';
  charge: number;
  /** Whether the code names a tooth (so item.bodySite is set). */
  toothSpecific: boolean;
  /** Whether surfaces apply (item.subSite). */
  surfaces: boolean;
}

/** An MS-DRG v43 (code-maps/catalog/ms-drg.json, CMS FY2026 IPPS Table 5). */
export interface DrgRow extends SourcedRow {
  code: string;
  display: string;
  /** Typical length of stay, days: the CMS geometric mean LOS. */
  los: number;
  /** CMS relative weight. */
  weight: number;
  /** Typical billed charge, dollars. */
  charge: number;
}

/** An ICD-10-PCS procedure (code-maps/catalog/icd10pcs.json), keyed by its code. */
export interface PcsRow extends Coded, SourcedRow {
  key: string;
  side?: Side;
  /** MS-DRGs it usually groups to (paired by hand from the titles). */
  drgs: string[];
}

export interface TaxonomyRow extends SourcedRow {
  code: string;
  display: string;
  /** Which directory entries use it. */
  use: 'primary-care' | 'specialist' | 'dentist' | 'pharmacist' | 'hospital' | 'clinic' | 'pharmacy' | 'dental-practice' | 'ambulance';
}

export interface SimpleTable extends SourcedRow {
  /** Key into SYSTEMS (src/fhir/systems.ts) of the code system the codes belong to. */
  system: string;
  licensed: boolean;
  /** `key`, where present, is what a code stands for in the simulation (e.g. a plan type). */
  codes: (Coded & { key?: string })[];
}

/** All tables, loaded and indexed once. */
export interface CodeMaps {
  conditions: ReadonlyMap<string, ConditionRow>;
  drugs: ReadonlyMap<string, DrugRow>;
  procedures: ReadonlyMap<string, ProcedureRow>;
  dental: ReadonlyMap<string, DentalRow>;
  drgs: ReadonlyMap<string, DrgRow>;
  /** By ICD-10-PCS code. */
  pcs: ReadonlyMap<string, PcsRow>;
  /** Condition key → drug keys that treat it. */
  drugsByCondition: ReadonlyMap<string, readonly string[]>;
  taxonomy: readonly TaxonomyRow[];
  denials: readonly DenialRow[];
  visitReasons: ReadonlyMap<string, VisitReasonRow>;
  /** Small fixed tables keyed by name: revenue, place-of-service, type-of-bill, point-of-origin, … */
  tables: ReadonlyMap<string, SimpleTable>;
  /** Claim prices: Medicare fee schedules and each book's multiple of them (code-maps/pricing.json). */
  pricing: PricingTable;
  /** Services that need prior authorization, and rented equipment (code-maps/prior-auth-*.json). */
  priorAuth: PriorAuthTables;
  /** The clinical side (US Core): labs, vitals, immunizations, allergies, screenings, … */
  clinical: ClinicalCodeMaps;
}

/** The claims-side tables, which the clinical loaders may cross-check against. */
export type ClaimsCodeMaps = Omit<CodeMaps, 'clinical'>;
