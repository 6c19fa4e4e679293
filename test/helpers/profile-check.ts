import { buildDefinitions } from '../../src/validate/definitions.js';
import { loadPackages } from '../../src/validate/packages.js';
import { CompiledProfile } from '../../src/validate/profile.js';
import { Terminology } from '../../src/validate/terminology.js';
import { SHARED_PACKAGES } from './packages.js';

/**
 * A synchronous adapter over src/validate's compiled profiles for tests that check one resource
 * against one profile: cardinality (slices included), fixed/pattern values, closed slicing, choice
 * types, required bindings and reference target types. Base R4 checks, invariants and reference
 * resolution need the whole set: use createValidator for those.
 */
let index: { profile: (canonical: string) => CompiledProfile | undefined } | undefined;

function load() {
  if (index) return index;
  const { packages } = loadPackages(['carin-bb@2.0.0', 'us-core@6.1.0'], SHARED_PACKAGES);
  const defs = buildDefinitions(packages);
  const terminology = new Terminology(defs);
  const compiled = new Map<string, CompiledProfile | undefined>();
  index = {
    profile: (canonical) => {
      if (!compiled.has(canonical)) {
        const sd = defs.structureDefinition(canonical);
        compiled.set(canonical, sd?.snapshot ? new CompiledProfile(sd, defs, terminology) : undefined);
      }
      return compiled.get(canonical);
    },
  };
  return index;
}

/** Problems of a resource against one profile (by canonical), as "path: problem" strings. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function checkAgainstProfile(resource: any, canonical: string): string[] {
  const profile = load().profile(canonical);
  if (!profile) return [`profile ${canonical} not found in the packages`];
  const problems: string[] = [];
  profile.check(resource, (path, message) => problems.push(`${path}: ${message}`));
  return [...new Set(problems)];
}
