import type { CodeableConcept, Coding } from '@medplum/fhirtypes';
import type { Plan } from '../../profile/types.js';
import type { BuildContext } from '../context.js';
import { SYSTEMS } from '../systems.js';

/** Da Vinci US Drug Formulary 2.0.1: canonical base, code systems and extension URLs. */
const BASE = 'http://hl7.org/fhir/us/davinci-drug-formulary';
export const FORMULARY_VERSION = '2.0.1';

/** Versioned canonical of a Formulary profile, e.g. formularyProfile('usdf-FormularyItem'). */
export function formularyProfile(name: string): string {
  return `${BASE}/StructureDefinition/${name}|${FORMULARY_VERSION}`;
}

/** URL of a Formulary extension, e.g. formularyExtension('DrugTierID') → …/usdf-DrugTierID-extension. */
export function formularyExtension(name: string): string {
  return `${BASE}/StructureDefinition/usdf-${name}-extension`;
}

/** The code systems the Formulary builders write, by their names here (the URIs are in src/util/systems.ts). */
export const USDF_SYSTEMS = {
  drugTier: SYSTEMS.usdfDrugTier,
  pharmacyBenefitType: SYSTEMS.usdfPharmacyBenefitType,
  benefitCostType: SYSTEMS.usdfBenefitCostType,
  costShareOption: SYSTEMS.usdfCostShareOption,
  insuranceItemType: SYSTEMS.usdfInsuranceItemType,
  insuranceProductType: SYSTEMS.planNetInsuranceProductType,
  actCode: SYSTEMS.v3ActCode,
  insurancePlanType: SYSTEMS.insurancePlanType,
  contactEntityType: SYSTEMS.contactEntityType,
  iso4217: SYSTEMS.iso4217,
} as const;

export function codeable(system: string, code: string, display?: string): CodeableConcept {
  const coding: Coding = { system, code, ...(display ? { display } : {}) };
  return { coding: [coding] };
}

/** The drug-policy type of a Formulary and of a plan's drug coverage (v3 ActCode DRUGPOL). */
export const DRUGPOL = codeable(USDF_SYSTEMS.actCode, 'DRUGPOL', 'drug policy');
/** The insurance plan type 'drug' (the pattern of the drug-plan slices). */
export const DRUG_PLAN_TYPE = codeable(USDF_SYSTEMS.insurancePlanType, 'drug', 'Drug');

/** Resource ids of the formulary resources: under the payer's id, readable and deterministic. */
export const formularyIds = {
  payerPlan: (ctx: BuildContext, planId: string) => `${ctx.directory.payer.id}-rxplan-${planId}`,
  formulary: (ctx: BuildContext) => `${ctx.directory.payer.id}-formulary`,
  drug: (ctx: BuildContext, rxcui: string) => `${ctx.directory.payer.id}-rxdrug-${rxcui}`,
  item: (ctx: BuildContext, rxcui: string) => `${ctx.directory.payer.id}-rxitem-${rxcui}`,
  area: (ctx: BuildContext, state: string) => `${ctx.directory.payer.id}-area-${state.toLowerCase()}`,
};

/** The profile's plans with a pharmacy benefit (every plan but dental), in profile order. */
export function pharmacyPlans(ctx: BuildContext): Plan[] {
  return ctx.profile.plans.filter((p) => p.type !== 'dental');
}

/** Pharmacy benefit types the formulary publishes, as the claims fill: a month at retail for every drug, 90 days at retail for maintenance drugs. */
export const BENEFIT_TYPES = {
  month: { code: '1-month-in-retail', display: '1 month in network retail' },
  quarter: { code: '3-month-in-retail', display: '3 month in network retail' },
} as const;
