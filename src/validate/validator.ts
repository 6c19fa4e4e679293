import type { Resource } from '@medplum/fhirtypes';
import { BaseChecker } from './base.js';
import { bundleScope, resolvesOnlyInBundle, type BundleScope } from './bundle-scope.js';
import { buildDefinitions, type Definitions } from './definitions.js';
import { baseConstraintKeys, InvariantChecker } from './invariants.js';
import { ensurePackages } from './package-download.js';
import { loadPackages, parseIg, type FhirPackage } from './packages.js';
import { CompiledProfile } from './profile.js';
import { referenceForm } from './reference-form.js';
import { Terminology } from './terminology.js';
import type { Issue } from './types.js';
import { UserError } from '../util/errors.js';
import { shownValue } from '../util/whole-number.js';

export type { Issue } from './types.js';
export type { BundleScope } from './bundle-scope.js';

export interface ValidatorOptions {
  /** Directory of package .tgz files or unpacked folders, looked in before $FHIRSEED_PACKAGES and ~/.fhir/packages. */
  packagesDir?: string;
  /** IGs to load, e.g. `carin-bb@2.0.0`, `us-core@6.1.0` (default: both). */
  igs?: string[];
  /** Load the packages without examples and documentation (loadPackages `slim`): `packages` then holds only what validation reads. */
  slim?: boolean;
}

/**
 * How createValidator's errors name what its caller gave: a library caller's properties (VALIDATOR_LIBRARY_NAMES, the
 * default: `… not downloaded, as options.packagesDir is given`) or the CLI's options (VALIDATOR_CLI_NAMES: `--packages`,
 * `--ig`), which fhirseed's commands pass. Only the names differ: the checks are the same.
 */
export interface ValidatorOptionNames {
  igs: string;
  packagesDir: string;
}

export const VALIDATOR_LIBRARY_NAMES: ValidatorOptionNames = { igs: 'options.igs', packagesDir: 'options.packagesDir' };
export const VALIDATOR_CLI_NAMES: ValidatorOptionNames = { igs: '--ig', packagesDir: '--packages' };

export interface Validator {
  /**
   * Validates a set of resources together, so references resolve across the set. `onProgress` is told
   * (resources done, total) every few hundred resources and at the end. `scopeOf` names the Bundle a resource was
   * an entry of (readResources' `scopes`), for its `urn:uuid:`/`urn:oid:` references (see `check`).
   */
  validate(resources: readonly Resource[], onProgress?: (done: number, total: number) => void, scopeOf?: (resource: Resource) => BundleScope | undefined): Issue[];
  /**
   * Checks one resource, appending its issues (deduplicated per resource) to `issues`; a relative reference
   * resolves when `isKnown("Type/id")` says so. `validate` is this over a set; the streaming validator calls it directly.
   * `scope`: the Bundle the resource is an entry of (bundle-scope.ts). Within one (and within a Bundle checked as a
   * resource, whose entries are its scope), a `urn:uuid:`/`urn:oid:` reference must match an entry's fullUrl, else it
   * is an error at the Reference's path; a matched one has its entry's type for the target-type checks (profile
   * targetProfile, `resolve() is T` invariants). Without a scope such a reference is checked for its syntax only.
   */
  check(resource: Resource, isKnown: (key: string) => boolean, issues: Issue[], scope?: BundleScope): void;
  /** The compiled profile for a canonical (versioned or not), or undefined if no loaded package defines it. */
  profile(canonical: string): CompiledProfile | undefined;
  /** The loaded packages, named IGs first. */
  packages: FhirPackage[];
  /** Notes from loading: skipped or missing dependencies. */
  warnings: string[];
  definitions: Definitions;
  /** FHIRPath invariants not evaluated because they did not compile or threw, key → reason. */
  skippedInvariants: ReadonlyMap<string, string>;
}

import { DEFAULT_IGS } from './default-igs.js';

export { DEFAULT_IGS };

const PROGRESS_EVERY = 250;


/**
 * Loads the IG packages (downloading missing ones into ~/.fhir/packages when allowed, see ensurePackages)
 * and makes a validator over them; the R4 base definitions are read and profiles compiled at first use
 * (`check`, `validate`, `profile`, `definitions`). Throws a UserError when a named IG cannot be found or downloaded.
 */
export async function createValidator(options: ValidatorOptions = {}, names: ValidatorOptionNames = VALIDATOR_LIBRARY_NAMES): Promise<Validator> {
  checkValidatorOptions(options, names);
  const igs = options.igs?.length ? options.igs : DEFAULT_IGS;
  const downloaded = await ensurePackages(igs, options.packagesDir, { packagesName: names.packagesDir });
  const { packages, warnings } = loadPackages(igs, options.packagesDir, { slim: options.slim, packagesName: names.packagesDir });
  warnings.unshift(...downloaded.map((key) => `${key} downloaded into the FHIR package cache`));
  // Definitions and checkers are built at first use: validate --jobs N's main thread only reads the packages
  // (coverage report, notes) while its workers validate, and the R4 base alone is about 40 MiB of objects.
  let core: { definitions: Definitions; terminology: Terminology; base: BaseChecker; invariants: InvariantChecker } | undefined;
  const built = () => {
    if (core) return core;
    const definitions = buildDefinitions(packages);
    const terminology = new Terminology(definitions);
    // The R4 base's own invariants are evaluated on every node by the base checker; profiles' copies of them are left out.
    const invariants = new InvariantChecker(terminology, baseConstraintKeys(definitions));
    core = { definitions, terminology, base: new BaseChecker(definitions, invariants, terminology), invariants };
    return core;
  };
  const compiled = new Map<string, CompiledProfile | undefined>();

  const profile = (canonical: string): CompiledProfile | undefined => {
    if (compiled.has(canonical)) return compiled.get(canonical);
    const { definitions, terminology } = built();
    const sd = definitions.structureDefinition(canonical);
    const result = sd?.snapshot ? new CompiledProfile(sd, definitions, terminology) : undefined;
    compiled.set(canonical, result);
    return result;
  };

  // The resource being checked, for the reporting functions below: made once, not per resource (check is not re-entered).
  let current: any;
  let currentIssues: Issue[] = [];
  let currentKnown: (key: string) => boolean = () => false;
  let currentScope: BundleScope | undefined;
  let currentProfile: string | undefined;
  let seen: Set<string> | undefined;
  const push = (issue: Omit<Issue, 'resourceType' | 'id'>) => {
    const key = `${issue.profile}\0${issue.path}\0${issue.message}`;
    seen ??= new Set<string>();
    if (seen.has(key)) return;
    seen.add(key);
    currentIssues.push({ resourceType: typeof current?.resourceType === 'string' ? current.resourceType : '', id: current?.id === undefined || current?.id === null ? '' : String(current.id), ...issue });
  };
  const error = (path: string, message: string, profileUrl?: string) => push({ ...(profileUrl ? { profile: profileUrl } : {}), path, severity: 'error', message });
  const baseError = (path: string, message: string) => error(path, message);
  const profileError = (path: string, message: string) => error(path, message, currentProfile);
  const resourceTypes = new Map<string, boolean>();
  const isResourceType = (name: string): boolean => {
    let known = resourceTypes.get(name);
    if (known === undefined) {
      const sd = built().definitions.baseType(name);
      known = sd?.kind === 'resource' && !sd.abstract;
      resourceTypes.set(name, known);
    }
    return known;
  };
  // The empty string is the base check's (a primitive has a value or is absent).
  const onReference = (ref: string, path: string) => {
    if (ref === '') return;
    const form = referenceForm(ref, isResourceType);
    if (form.form === 'broken') error(path, form.why);
    else if (form.form === 'relative' && !currentKnown(form.key)) error(path, `reference '${ref}' does not resolve within the validated set`);
    else if (form.form === 'absolute' && currentScope && resolvesOnlyInBundle(ref) && !currentScope.fullUrls.has(ref)) {
      error(path, `reference '${ref}' does not resolve: no entry of its Bundle has this fullUrl`);
    }
  };
  // The type a urn: reference's entry holds, for the checks that read a reference's target type (undefined: not known).
  const targetOf = (ref: string): string | undefined => currentScope?.fullUrls.get(ref);

  const check = (resource: Resource, isKnown: (key: string) => boolean, issues: Issue[], scope?: BundleScope): void => {
    const { base, invariants } = built();
    const r = resource as any;
    current = r;
    currentIssues = issues;
    currentKnown = isKnown;
    // A Bundle checked as one resource (a document, a message): its entries' references resolve among its entries.
    currentScope = r?.resourceType === 'Bundle' ? bundleScope(r) : scope;
    seen = undefined;
    invariants.targetOf = currentScope ? targetOf : undefined;
    try {
      // R4's required bindings on codes are checked here only for a resource no loaded profile checks: a profile's snapshot repeats them.
      const bindings = !claimedProfiles(r).some((canonical) => profile(canonical) !== undefined);
      base.checkResource(r, typeof r?.resourceType === 'string' ? r.resourceType : 'Resource', baseError, onReference, bindings);
      // A resource of no known type has only the base check's error: its claimed profiles are of some other type.
      if (typeof r?.resourceType !== 'string' || !isResourceType(r.resourceType)) return;
      for (const canonical of claimedProfiles(r)) {
        const compiledProfile = profile(canonical);
        if (!compiledProfile) {
          push({ profile: canonical, path: String(r?.resourceType), severity: 'warning', message: `profile ${canonical} is not in the loaded packages; not checked` });
          continue;
        }
        currentProfile = canonical;
        const nodes = compiledProfile.check(r, profileError, currentScope ? targetOf : undefined);
        invariants.check(compiledProfile, r, nodes, profileError);
      }
    } finally {
      invariants.targetOf = undefined;
      currentScope = undefined;
    }
  };

  const validate = (resources: readonly Resource[], onProgress?: (done: number, total: number) => void, scopeOf?: (resource: Resource) => BundleScope | undefined): Issue[] => {
    // A library caller's mistake, named (a null entry would otherwise be a bare "Cannot read properties of null").
    if (!Array.isArray(resources)) throw new TypeError(`validate: expected an array of resources, got ${resources === null ? 'null' : typeof resources === 'object' ? 'an object (one resource? give [resource])' : typeof resources}`);
    const hole = resources.findIndex((r) => r === null || r === undefined);
    if (hole >= 0) throw new TypeError(`validate: resources[${hole}] is ${resources[hole]}, not a resource`);
    const known = new Set<string>();
    for (const r of resources) for (const key of resourceKeys(r)) known.add(key);
    const isKnown = (key: string) => known.has(key);
    const issues: Issue[] = [];
    let done = 0;
    for (const resource of resources) {
      if (onProgress && done % PROGRESS_EVERY === 0) onProgress(done, resources.length);
      done++;
      check(resource, isKnown, issues, scopeOf?.(resource));
    }
    onProgress?.(resources.length, resources.length);
    return issues;
  };

  const noneSkipped: ReadonlyMap<string, string> = new Map();
  return {
    validate,
    check,
    profile,
    packages,
    warnings,
    get definitions() {
      return built().definitions;
    },
    get skippedInvariants() {
      return core?.invariants.skipped ?? noneSkipped;
    },
  };
}

/**
 * The profiles a resource claims: the strings of its `meta.profile` array. Anything else there (a null, a
 * number, `meta.profile` not an array) claims nothing; the R4 base check reports it.
 */
export function claimedProfiles(r: any): string[] {
  const claimed = r?.meta?.profile;
  if (!Array.isArray(claimed)) return [];
  return claimed.every((c) => typeof c === 'string') ? claimed : claimed.filter((c) => typeof c === 'string');
}

/** The `Type/id` keys a resource makes resolvable: its own, and those of the entries of a Bundle validated as one resource. */
export function resourceKeys(r: Resource): string[] {
  const keys = [`${r.resourceType}/${r.id}`];
  // Not an array, or null entries: no keys (the base check reports them), never a TypeError.
  if (r.resourceType === 'Bundle' && Array.isArray(r.entry)) for (const e of r.entry) if (e?.resource) keys.push(`${e.resource.resourceType}/${e.resource.id}`);
  return keys;
}

/**
 * createValidator's checks of what a library caller passes (the CLI's `--ig` and `--packages` are parsed before): `igs`
 * a list of `<name>@<version>` (parseIg), `packagesDir` a path, named as `names` says. One UserError, before any
 * package is read; without it a string `igs` was a TypeError (`igs.map is not a function`) and an entry was named `--ig`.
 */
function checkValidatorOptions(options: ValidatorOptions, names: ValidatorOptionNames): void {
  if (typeof options !== 'object' || options === null) throw new UserError(`createValidator: expected an options object ({ packagesDir, igs, slim }), got ${shownValue(options)}`);
  if (options.igs !== undefined) {
    if (!Array.isArray(options.igs)) throw new UserError(`${names.igs} ${shownValue(options.igs)}: expected a list of <name>@<version>, e.g. ['carin-bb@2.0.0', 'us-core@6.1.0']`);
    for (const ig of options.igs) parseIg(ig, names.igs);
  }
  if (options.packagesDir !== undefined && (typeof options.packagesDir !== 'string' || options.packagesDir === '')) {
    throw new UserError(`${names.packagesDir} ${shownValue(options.packagesDir)}: expected the path of the folder holding the <name>#<version>.tgz files or <name>#<version>/package/ folders`);
  }
}
