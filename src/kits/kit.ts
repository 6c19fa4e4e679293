import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '../util/errors.js';

/**
 * The Inferno server test kits' tests as data (../shared/inferno-kits: CARIN BB 2.0.0 and US Core 6.1.0,
 * extracted from the kits' generated Ruby metadata): groups of tests per profile, with the search
 * parameter combinations, must-support elements and references each test checks.
 */
export interface KitFile {
  kit: string;
  source_commit: string;
  groups: KitGroup[];
  /** profile URL → resource type, for every profile either kit names */
  profile_types: Record<string, string>;
  /** profiles the kit expects the CapabilityStatement to list */
  capability_profiles: string[];
}

export interface KitGroup {
  id: string;
  /** 'not_generated': a hand-written group (SMART launch, CapabilityStatement, attestation) with no test data */
  kind?: string;
  optional?: boolean;
  metadata?: GroupMetadata | null;
  tests?: KitTest[];
}

export interface SearchDefinition {
  /** element paths relative to the resource, choice elements without [x] (`effective`, `item.serviced`) */
  paths: string[];
  comparators?: Record<string, string>;
  /** fixed values the kit searches with (e.g. category laboratory) */
  values: string[];
  type?: string;
  contains_multiple?: boolean;
}

export interface MustSupportSlice {
  slice_id: string;
  slice_name: string;
  path: string;
  discriminator: {
    type: string;
    path?: string;
    code?: string;
    system?: string;
    values?: ({ path: string; value: string } | { system: string; code: string })[];
  };
}

export interface MustSupportElement {
  path: string;
  original_path?: string;
  types?: string[];
  target_profiles?: string[];
  fixed_value?: unknown;
}

export interface GroupMetadata {
  name: string;
  resource: string;
  profile_url: string;
  title?: string;
  /** reached only through references from other groups' resources (Organization, Practitioner, Provenance…) */
  is_delayed?: boolean;
  searches: { names: string[]; expectation: string }[];
  search_definitions: Record<string, SearchDefinition>;
  must_supports: { extensions: { id: string; path: string; url: string }[]; slices: MustSupportSlice[]; elements: MustSupportElement[] };
  references?: { path: string; profiles: string[] }[];
  /** references the kit follows from this group's resources to fill the delayed groups */
  delayed_references?: { path: string; resources: string[] }[];
}

export interface KitTest {
  id: string;
  kind: string;
  arg?: string | null;
  optional?: boolean;
  title?: string;
  resource_type?: string;
  scratch_key?: string;
  /** a sub-profile's own metadata (CARIN's EOB profiles): its must-support test looks at resources claiming it */
  metadata?: GroupMetadata;
  properties?: {
    first_search?: boolean;
    fixed_value_search?: boolean;
    resource_type?: string;
    search_param_names?: string[];
    saves_delayed_references?: boolean;
    possible_status_search?: boolean;
    token_search_params?: string[];
    test_reference_variants?: boolean;
    test_post_search?: boolean;
    params_with_comparators?: string[];
    multiple_or_search_params?: string[];
    include_parameters?: { path: string; target: string | string[] }[];
  };
}

export const KIT_FILES = { 'carin-bb': 'carin-bb-v200.json', 'us-core': 'us-core-v610.json' } as const;
export type KitName = keyof typeof KIT_FILES;

/** Where the kit data is: $FHIRSEED_KITS, else ../shared/inferno-kits beside the fhirseed checkout. */
export function defaultKitsDir(): string {
  if (process.env.FHIRSEED_KITS) return process.env.FHIRSEED_KITS;
  // src/kits (or dist/src/kits) → the checkout → its sibling shared/inferno-kits
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return resolve(dir, '..', 'shared', 'inferno-kits');
}

/** Reads one kit's JSON; a missing or unreadable file is a UserError naming it. */
export function loadKit(dir: string, name: KitName): KitFile {
  const file = join(dir, KIT_FILES[name]);
  let kit: KitFile;
  try {
    kit = JSON.parse(readFileSync(file, 'utf8')) as KitFile;
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UserError(`cannot read the ${name} kit data ${file} (${reason}); point --kits or $FHIRSEED_KITS at the inferno-kits directory`);
  }
  if (!Array.isArray(kit.groups)) throw new UserError(`${file} is not Inferno kit data (no groups)`);
  return kit;
}
