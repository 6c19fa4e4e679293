import { parseFhirPath, type FhirPathAtom } from '@medplum/core';

const parsed = new Map<string, FhirPathAtom>();

/**
 * A FHIRPath expression parsed once, for evalFhirPath: given a string, medplum parses it at every call, which was most
 * of the time of an `_include` and of the exact token check. Search parameter expressions are few, so all are kept.
 */
export function compiled(expression: string): FhirPathAtom {
  let atom = parsed.get(expression);
  if (!atom) {
    atom = parseFhirPath(expression);
    parsed.set(expression, atom);
  }
  return atom;
}
