import type { IgName, UsCoreVersion } from './igs.js';
import type { DrugTier, TierCost } from './pharmacy-tiers.js';
import type { PlanType } from '../codemaps/types.js';
import type { TargetRow } from './targets.js';

export type { PlanType } from '../codemaps/types.js';
export type ClaimType = 'professional' | 'outpatient' | 'inpatient' | 'pharmacy' | 'oral';
export const CLAIM_TYPES: readonly ClaimType[] = ['professional', 'outpatient', 'inpatient', 'pharmacy', 'oral'];
export type Sex = 'female' | 'male';

export interface Share<T extends string = string> {
  code: T;
  share: number;
}

export interface CostSharing {
  /** Annual deductible per member, dollars. */
  deductible: number;
  /** Flat copay per claim, dollars, by claim type (missing = 0). */
  copay: Partial<Record<ClaimType, number>>;
  /** Member's share of the allowed amount after deductible and copay, 0..1. */
  coinsurance: number;
  /** Annual out-of-pocket maximum per member, dollars. */
  outOfPocketMax: number;
  /** Share of the allowed amount an out-of-network provider may balance-bill, 0..1 (default 0.3). */
  outOfNetworkCoinsurance?: number;
  /** A fill's cost by formulary drug tier; tiers left out derive from `copay.pharmacy` (src/profile/pharmacy-tiers.ts). */
  pharmacyTiers?: Partial<Record<DrugTier, TierCost>>;
}

export interface Plan {
  id: string;
  name: string;
  type: PlanType;
  share: number;
  group: { id: string; name: string };
  costSharing: CostSharing;
  /**
   * The plan's own rates: each field given overrides the profile's `utilization` for this plan's
   * members (a medical plan: all but `oral`; a dental plan: `oral` only). Read through
   * `planUtilization` (src/profile/plan-settings.ts).
   */
  utilization?: Partial<Utilization>;
  /** The plan's own age mix at the period start, replacing `demographics.ageBands` for its members (`planAgeBands`). */
  ageBands?: AgeBand[];
  /** Condition rows for the plan's members, each replacing the profile's row of the same key (`planConditions`). */
  conditions?: ConditionPrevalence[];
}

/**
 * Claims per member-year by type (inpatient: admissions); `emergency`: emergency-department visits
 * per member-year, part of `outpatient` (default a fifth of it); `nonUsers`: share of members
 * without a chronic condition who use no medical care in the year (default 0).
 */
export type Utilization = Record<ClaimType, number> & { emergency?: number; nonUsers?: number };

export interface AgeBand {
  min: number;
  max: number;
  share: number;
}

export interface ConditionPrevalence {
  /** Key into code-maps/conditions.json. */
  key: string;
  prevalence: number;
  /** Overrides by age band ("min-max") and sex. */
  byAgeBand?: { min: number; max: number; prevalence: number }[];
  bySex?: Partial<Record<Sex, number>>;
}

export interface PayerIdentifier {
  type: 'payerid' | 'naiccode' | 'tax';
  value: string;
}

/** A population profile as read from `profiles/*.yaml` (after schema check and defaults). */
export interface Profile {
  name: string;
  description?: string;
  seed: number;
  members: number;
  period: { start: string; end: string };
  payer: {
    name: string;
    identifiers: PayerIdentifier[];
    /** Prefix of member ids, 2–4 capital letters. */
    memberIdPrefix: string;
    state: string;
  };
  plans: Plan[];
  demographics: {
    ageBands: AgeBand[];
    sex: Share<Sex>[];
    states: Share[];
    race: Share[];
    ethnicity: Share[];
    dependentShare: number;
  };
  conditions: ConditionPrevalence[];
  /** Utilization of members whose plan has none of its own (`Plan.utilization` overrides it field by field). */
  utilization: Utilization;
  claims: {
    denialRate: number;
    outOfNetworkRate: number;
  };
  providers: {
    organizations: number;
    practitioners: number;
    pharmacies: number;
  };
  /** Guarantee that the first members between them show every claim type and feature. Default true. */
  coveragePlan: boolean;
  /** US Core version of the clinical layer (servers that still need 3.1.1 can have it). */
  usCore: UsCoreVersion;
  /** The IGs to emit (`igs:`; see src/profile/igs.ts). The loader fills in all of them when absent; `generate --ig` overrides. */
  igs?: IgName[];
  /**
   * The book's own realism targets (rows of a `fhirseed report --targets` file, `book: all` filled in);
   * recorded in the manifest, where `fhirseed report` finds them. Absent: the built-in targets.
   */
  targets?: TargetRow[];
}

/**
 * What the generator can produce, for the profile checks (src/story/limits.ts derives it from the
 * code maps and faker's data; the profile layer cannot look there itself).
 */
export interface GeneratorLimits {
  /** USPS codes of the states (and DC, PR) that addresses and ZIP codes can be made for. */
  states: ReadonlySet<string>;
  /** Ages 0..oldestAge (whole years) have exam reasons and vital-sign bands; no member may be older during the period. */
  oldestAge: number;
  /** Race codes of code-maps/tables.json `race` (CDC Race & Ethnicity). */
  raceCodes: ReadonlySet<string>;
  /** Ethnicity codes of code-maps/tables.json `ethnicity`. */
  ethnicityCodes: ReadonlySet<string>;
}
