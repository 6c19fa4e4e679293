import type { Resource } from '@medplum/fhirtypes';
import { createValidator, type Validator } from '../../src/validate/validator.js';
import { SHARED_PACKAGES } from './packages.js';

let shared: Promise<Validator> | undefined;

/** One validator over CARIN BB 2.0.0 and US Core 6.1.0 from the shared packages, built once per test file. */
export function sharedValidator(): Promise<Validator> {
  shared ??= createValidator({ packagesDir: SHARED_PACKAGES, igs: ['carin-bb@2.0.0', 'us-core@6.1.0'] });
  return shared;
}

/** The examples of a loaded package, e.g. `hl7.fhir.us.carin-bb`. */
export function examplesOf(validator: Validator, name: string): { file: string; resource: Resource }[] {
  const pkg = validator.packages.find((p) => p.name === name);
  if (!pkg) throw new Error(`${name} is not loaded`);
  return pkg.examples;
}
