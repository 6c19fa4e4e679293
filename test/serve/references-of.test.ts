// referencesOf (src/serve/references-of.ts) reads a reference parameter on plain element paths by walking them instead
// of medplum's FHIRPath: the same set of references for every reference parameter of every type of a generated
// member (R4's, CARIN's, US Core's, the payer IGs'), also with references moved into arrays, duplicated, made absolute
// or replaced by other values at random. In process; about 2 s of CPU (one member generated, IG parameters read once).
import fc from 'fast-check';
import { evalFhirPath, getSearchParameters } from '@medplum/core';
import type { Reference, Resource, SearchParameter } from '@medplum/fhirtypes';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findProfiles } from '../../src/serve/capability.js';
import { igSearchParameters } from '../../src/serve/ig-search-parameters.js';
import { indexSearchParameters } from '../../src/serve/router.js';
import { referencesOf } from '../../src/serve/references-of.js';
import { parameterPaths } from '../../src/serve/store/decide.js';
import { generateTo, shippedProfile, tempDir } from '../helpers/output.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';

let resources: Resource[] = [];

beforeAll(() => {
  indexSearchParameters([...findProfiles(SHARED_PACKAGES).searchParameters, ...igSearchParameters(SHARED_PACKAGES).searchParameters]);
  const out = tempDir('fhirseed-references-of-');
  try {
    generateTo(out.dir, { ...shippedProfile('default'), members: 1 });
    const dir = join(out.dir, 'ndjson');
    resources = readdirSync(dir).flatMap((file) => readFileSync(join(dir, file), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as Resource));
  } finally {
    out.cleanup();
  }
}, 120_000);

/** What medplum's FHIRPath gives for the parameter (the reading referencesOf had for every parameter before). */
function byFhirPath(resource: Resource, param: SearchParameter): string[] {
  return evalFhirPath(param.expression!, resource)
    .map((value) => (value as Reference | undefined)?.reference)
    .filter((ref): ref is string => typeof ref === 'string');
}

function referenceParams(type: string): SearchParameter[] {
  return Object.values(getSearchParameters(type) ?? {}).filter((p) => p.type === 'reference' && p.expression);
}

/** The parameters read by walking paths (the rest still go through FHIRPath, equal by construction). */
function walked(type: string): SearchParameter[] {
  return referenceParams(type).filter((p) => {
    const paths = parameterPaths(type, p.code!);
    return paths?.kind === 'reference' && paths.branches.every((b) => !b.target);
  });
}

const sorted = (refs: string[]) => [...new Set(refs)].sort();

describe('referencesOf', () => {
  it('should give the references FHIRPath gives, for every reference parameter of every generated resource', () => {
    let compared = 0;
    for (const resource of resources) {
      for (const param of referenceParams(resource.resourceType)) {
        expect(sorted(referencesOf(resource, param)), `${resource.resourceType}.${param.code}`).toEqual(sorted(byFhirPath(resource, param)));
        compared++;
      }
    }
    // The walk must be what is compared: EOB's provider, patient, care-team… are plain paths.
    expect(walked('ExplanationOfBenefit').map((p) => p.code)).toEqual(expect.arrayContaining(['patient', 'provider', 'care-team', 'coverage']));
    expect(compared).toBeGreaterThan(1000);
  });

  it('should give the references FHIRPath gives when references are moved, repeated, made absolute or replaced', () => {
    const candidates = resources.filter((r) => walked(r.resourceType).length);
    const edit = fc.constantFrom<'array' | 'absolute' | 'twice' | 'string' | 'number' | 'null' | 'nested' | 'none'>('array', 'absolute', 'twice', 'string', 'number', 'null', 'nested', 'none');
    fc.assert(
      fc.property(fc.nat(candidates.length - 1), fc.array(fc.tuple(fc.nat(), edit), { maxLength: 6 }), (index, edits) => {
        const resource = structuredClone(candidates[index]!);
        const params = walked(resource.resourceType);
        for (const [n, how] of edits) {
          const param = params[n % params.length]!;
          const branch = (parameterPaths(resource.resourceType, param.code!) as { branches: { path: string }[] }).branches[0]!;
          editAt(resource as unknown as Record<string, unknown>, branch.path.split('.'), how);
        }
        for (const param of params) {
          expect(sorted(referencesOf(resource, param)), `${resource.resourceType}.${param.code}`).toEqual(sorted(byFhirPath(resource, param)));
        }
      }),
      { numRuns: 200 },
    );
  });
});

/** Changes the value at `path` (creating it where missing): the edits a client's write could make. */
function editAt(node: Record<string, unknown>, path: string[], how: string): void {
  const [name, ...rest] = path;
  if (!name) return;
  if (rest.length) {
    const child = node[name];
    const target = Array.isArray(child) ? child[0] : child;
    if (target && typeof target === 'object') editAt(target as Record<string, unknown>, rest, how);
    else {
      const created: Record<string, unknown> = {};
      node[name] = [created];
      editAt(created, rest, how);
    }
    return;
  }
  const current = node[name];
  const one = (Array.isArray(current) ? current[0] : current) as Reference | undefined;
  const reference = one?.reference ?? 'Patient/p1';
  if (how === 'array') node[name] = [{ reference }, { reference: 'Organization/o1' }];
  else if (how === 'absolute') node[name] = { reference: `http://elsewhere.test/fhir/${reference}` };
  else if (how === 'twice') node[name] = [{ reference }, { reference }];
  else if (how === 'string') node[name] = reference;
  else if (how === 'number') node[name] = { reference: 7 };
  else if (how === 'null') node[name] = null;
  else if (how === 'nested') node[name] = { display: 'no reference', identifier: { value: 'x' } };
  else delete node[name];
}
