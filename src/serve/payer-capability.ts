import type { CapabilityStatementRestResourceOperation, Resource } from '@medplum/fhirtypes';
import type { AtomicMemoryRepository } from './router.js';

/** What the payer IGs add to the CapabilityStatement: the server statements instantiated and their IGs. */
export interface PayerCapability {
  instantiates: string[];
  implementationGuides: string[];
}

const PLAN_NET = 'http://hl7.org/fhir/us/davinci-pdex-plan-net';
const FORMULARY = 'http://hl7.org/fhir/us/davinci-drug-formulary';
const PDEX = 'http://hl7.org/fhir/us/davinci-pdex';

/**
 * The Plan-Net, US Drug Formulary and PDex server statements this server instantiates: each only when the served
 * data holds resources of that IG (a resource claiming one of its profiles in `meta.profile`: Plan-Net directory
 * resources, Formulary drug plans and items, PDex prior authorizations), since instantiating a statement promises
 * the data its searches return. With `served` (the output manifest's `igs`), only among the IGs it names.
 */
export function payerCapability(repo: AtomicMemoryRepository, served?: Record<string, string>): PayerCapability {
  const claims = (prefix: string) => (r: Resource) => r.meta?.profile?.some((p) => p.startsWith(`${prefix}/StructureDefinition/`)) ?? false;
  const any = (types: string[], test: (r: Resource) => boolean, filters: Record<string, string> = {}) => types.some((type) => first(repo.candidates(type, filters), test));
  const found: [boolean, string, string][] = [
    [any(['PractitionerRole', 'Organization', 'InsurancePlan', 'HealthcareService', 'OrganizationAffiliation', 'Location', 'Endpoint', 'Practitioner'], claims(PLAN_NET)), `${PLAN_NET}/CapabilityStatement/plan-net`, `${PLAN_NET}/ImplementationGuide/hl7.fhir.us.davinci-pdex-plan-net|1.1.0`],
    [any(['InsurancePlan', 'Basic', 'MedicationKnowledge'], claims(FORMULARY)), `${FORMULARY}/CapabilityStatement/usdf-server`, `${FORMULARY}/ImplementationGuide/hl7.fhir.us.davinci-drug-formulary|2.0.1`],
    [any(['ExplanationOfBenefit'], claims(PDEX), { use: 'preauthorization' }), `${PDEX}/CapabilityStatement/pdex-server`, `${PDEX}/ImplementationGuide/hl7.fhir.us.davinci-pdex|2.0.0`],
  ];
  const named = (ig: string) => !served || /\/ImplementationGuide\/([^|]+)\|/.exec(ig)![1]! in served;
  const on = found.filter(([has, , ig]) => has && named(ig));
  return { instantiates: on.map(([, c]) => c), implementationGuides: on.map(([, , ig]) => ig) };
}

function first(resources: Iterable<Resource>, test: (r: Resource) => boolean): boolean {
  for (const r of resources) if (test(r)) return true;
  return false;
}

/** The Bulk Data and HRex operations, by where the CapabilityStatement lists them (system level, or per type). */
export const PAYER_OPERATIONS: { system: CapabilityStatementRestResourceOperation[]; byType: Record<string, CapabilityStatementRestResourceOperation[]> } = {
  system: [{ name: 'export', definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export' }],
  byType: {
    Patient: [
      { name: 'export', definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/patient-export' },
      { name: 'member-match', definition: 'http://hl7.org/fhir/us/davinci-hrex/OperationDefinition/member-match' },
    ],
    Group: [{ name: 'export', definition: 'http://hl7.org/fhir/uv/bulkdata/OperationDefinition/group-export' }],
  },
};
