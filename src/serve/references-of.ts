import { evalFhirPath, getSearchParameters } from '@medplum/core';
import type { Reference, Resource, SearchParameter } from '@medplum/fhirtypes';
import { compiled } from './compiled-path.js';
import { parameterPaths } from './store/decide.js';

/**
 * The `Type/id` references a resource holds in one reference search parameter (as written: absolute ones too). A
 * parameter whose branches are plain element paths (decide.ts) is read by walking them; others by medplum's FHIRPath,
 * which was most of an `_include=ExplanationOfBenefit:*` search's CPU (the same set of references, see
 * test/serve/references-of.test.ts).
 */
export function referencesOf(resource: Resource, param: SearchParameter): string[] {
  if (!param.expression) return [];
  const type = resource.resourceType;
  const paths = param.code && getSearchParameters(type)?.[param.code] === param ? parameterPaths(type, param.code) : undefined;
  if (paths?.kind === 'reference' && paths.branches.every((branch) => !branch.target)) return referencesAt(resource, paths.branches);
  return evalFhirPath(compiled(param.expression), resource)
    .map((value) => (value as Reference | undefined)?.reference)
    .filter((ref): ref is string => typeof ref === 'string');
}

/** The `reference` of each Reference at these element paths (arrays flattened at every step; canonicals hold none). */
function referencesAt(resource: Resource, branches: { path: string }[]): string[] {
  const found: string[] = [];
  for (const { path } of branches) {
    let level: unknown[] = [resource];
    for (const name of path.split('.')) {
      const next: unknown[] = [];
      for (const value of level) {
        if (!value || typeof value !== 'object') continue;
        const child = (value as Record<string, unknown>)[name];
        if (Array.isArray(child)) next.push(...child);
        else if (child !== undefined && child !== null) next.push(child);
      }
      level = next;
    }
    for (const value of level) {
      const reference = value && typeof value === 'object' ? (value as Reference).reference : undefined;
      if (typeof reference === 'string') found.push(reference);
    }
  }
  return found;
}
