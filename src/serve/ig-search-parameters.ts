import type { SearchParameter } from '@medplum/fhirtypes';
import { loadPackages } from '../validate/packages.js';

/** The payer IGs whose SearchParameters the sandbox evaluates beside R4's, CARIN BB's and US Core's. */
export const SEARCH_IGS = [
  { ig: 'hl7.fhir.us.davinci-pdex-plan-net@1.1.0', name: 'Plan-Net', capability: 'http://hl7.org/fhir/us/davinci-pdex-plan-net/CapabilityStatement/plan-net' },
  { ig: 'hl7.fhir.us.davinci-drug-formulary@2.0.1', name: 'US Drug Formulary', capability: 'http://hl7.org/fhir/us/davinci-drug-formulary/CapabilityStatement/usdf-server' },
  { ig: 'hl7.fhir.us.davinci-pdex@2.0.0', name: 'PDex', capability: 'http://hl7.org/fhir/us/davinci-pdex/CapabilityStatement/pdex-server' },
] as const;

/** The payer IGs' SearchParameters, and a note per IG whose package is not found. */
export interface IgSearchParameters {
  searchParameters: SearchParameter[];
  notes: string[];
}

/**
 * Reads the SearchParameters of the Plan-Net 1.1.0, US Drug Formulary 2.0.1 and PDex 2.0.0 packages (Plan-Net's
 * `network`, `network` of OrganizationAffiliation, Formulary's `drug-tier` and `formulary`, PDex's
 * ExplanationOfBenefit `use`…), from the same places as the other IG packages. Only the IG's own package is read
 * (not its dependencies). A missing package is a note, not an error: its parameters are then a 400.
 */
export function igSearchParameters(packagesDir?: string): IgSearchParameters {
  const searchParameters: SearchParameter[] = [];
  const notes: string[] = [];
  for (const { ig } of SEARCH_IGS) {
    try {
      const named = loadPackages([ig], packagesDir).packages[0];
      for (const resource of named?.resources ?? []) {
        if (resource?.resourceType === 'SearchParameter') searchParameters.push(extensionValues(resource as SearchParameter));
      }
    } catch (error) {
      notes.push(`${ig}: ${(error as Error).message}`);
    }
  }
  return { searchParameters, notes };
}

/**
 * A reference or token parameter whose expression ends at an extension (`PractitionerRole.extension.where(url='…/network-reference')`,
 * Plan-Net's `network` and `coverage-area`) means the extension's value: the matcher compares the value
 * (a Reference, a CodeableConcept), not the Extension element, so `.value` is added.
 */
function extensionValues(param: SearchParameter): SearchParameter {
  if (!param.expression || (param.type !== 'reference' && param.type !== 'token')) return param;
  const expression = param.expression.replace(/(\.extension\.where\(url\s*=\s*'[^']+'\))(?!\.value)/g, '$1.value');
  return expression === param.expression ? param : { ...param, expression };
}
