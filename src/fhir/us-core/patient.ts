import type { Patient } from '@medplum/fhirtypes';
import type { MemberStory } from '../../story/types.js';
import type { BuildContext } from '../context.js';

/** Adds the US Core Patient profile to a CARIN BB Patient (placeholder: the domain fills it in). */
export function layerUsCorePatient(resource: Patient, _story: MemberStory, _ctx: BuildContext): Patient {
  return resource;
}
