import type { Resource } from '@medplum/fhirtypes';
import { createValidator, type Issue, type Validator } from '../../src/validate/validator.js';
import { SHARED_PACKAGES } from './packages.js';

let shared: Promise<Validator> | undefined;

/** One validator over CARIN BB 2.0.0 and US Core 6.1.0 from the shared packages, built once per test file. */
export function sharedValidator(): Promise<Validator> {
  shared ??= createValidator({ packagesDir: SHARED_PACKAGES, igs: ['carin-bb@2.0.0', 'us-core@6.1.0'] });
  return shared;
}

/** The issues `validator.check` finds in one resource (every reference counted as resolving). */
export function checkResource(validator: Validator, r: unknown): Issue[] {
  const issues: Issue[] = [];
  validator.check(r as Resource, () => true, issues);
  return issues;
}

/** The examples of a loaded package, e.g. `hl7.fhir.us.carin-bb`. */
export function examplesOf(validator: Validator, name: string): { file: string; resource: Resource }[] {
  const pkg = validator.packages.find((p) => p.name === name);
  if (!pkg) throw new Error(`${name} is not loaded`);
  return pkg.examples;
}

/** A validator over US Core 6.1.0 alone and a fresh copy of one of its examples by type and id (throws when absent). */
export async function usCoreExamples(): Promise<{ validator: Validator; example: <T extends Resource>(type: T['resourceType'], id: string) => T }> {
  const validator = await createValidator({ packagesDir: SHARED_PACKAGES, igs: ['us-core@6.1.0'] });
  const examples = examplesOf(validator, 'hl7.fhir.us.core').map((e) => e.resource);
  const example = <T extends Resource>(type: T['resourceType'], id: string): T => {
    const found = examples.find((r) => r.resourceType === type && r.id === id);
    if (!found) throw new Error(`no US Core example ${type}/${id}`);
    return structuredClone(found) as T;
  };
  return { validator, example };
}
