import type { Coverage, Organization, Patient, Practitioner, RelatedPerson, Resource } from '@medplum/fhirtypes';
import type { MemberStory } from '../../story/types.js';
import type { BuildContext } from '../context.js';
import { layerUsCoreCoverage } from './coverage.js';
import { layerUsCoreOrganization } from './organization.js';
import { layerUsCorePatient } from './patient.js';
import { layerUsCorePractitioner } from './practitioner.js';
import { layerUsCoreRelatedPerson } from './related-person.js';

/**
 * Patient, Coverage, Organization, Practitioner and RelatedPerson are built once, as CARIN BB
 * resources, and then also claim the US Core profile of the run's version, with whatever more
 * that profile asks for. One resource per real thing, as a payer's server holds them.
 * `story` is undefined for directory resources.
 */
export function layerUsCore(resource: Resource, story: MemberStory | undefined, ctx: BuildContext): Resource {
  switch (resource.resourceType) {
    case 'Patient':
      return story ? layerUsCorePatient(resource as Patient, story, ctx) : resource;
    case 'Coverage':
      return story ? layerUsCoreCoverage(resource as Coverage, story, ctx) : resource;
    case 'RelatedPerson':
      return story ? layerUsCoreRelatedPerson(resource as RelatedPerson, story, ctx) : resource;
    case 'Organization':
      return layerUsCoreOrganization(resource as Organization, ctx);
    case 'Practitioner':
      return layerUsCorePractitioner(resource as Practitioner, ctx);
    default:
      return resource;
  }
}
