import type { Resource } from '@medplum/fhirtypes';
import { usCoreProfile, type BuildContext } from '../context.js';

/** The resource, also claiming a US Core profile of the run's version. */
export function withUsCoreProfile<T extends Resource>(resource: T, ctx: BuildContext, profile: string): T {
  const canonical = usCoreProfile(ctx, profile);
  const profiles = resource.meta?.profile ?? [];
  if (profiles.includes(canonical)) return resource;
  return { ...resource, meta: { ...resource.meta, profile: [...profiles, canonical] } };
}
