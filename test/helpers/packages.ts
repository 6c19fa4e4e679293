import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { locatePackage, packageFiles as findPackageFiles, packageSearchDirs } from '../../src/validate/packages.js';

/** The IG packages the tests read: name, version. */
export const TEST_PACKAGES: readonly (readonly [string, string])[] = [
  ['hl7.fhir.us.carin-bb', '2.0.0'],
  ['hl7.fhir.us.core', '3.1.1'],
  ['hl7.fhir.us.core', '6.1.0'],
  ['hl7.fhir.us.davinci-pdex-plan-net', '1.1.0'],
];

/** ../shared/fhir-packages beside the checkout: where the team keeps the packages (never copied into the repository). */
export const SIBLING_PACKAGES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'shared', 'fhir-packages');

/** Where the tests look, in order: where fhirseed itself looks ($FHIRSEED_PACKAGES, ~/.fhir/packages), then ../shared/fhir-packages. */
export function testPackageDirs(): string[] {
  return [...new Set([...packageSearchDirs(), SIBLING_PACKAGES])];
}

/** The TEST_PACKAGES found in none of testPackageDirs(), as `name#version`. */
export function missingTestPackages(): string[] {
  const dirs = testPackageDirs();
  return TEST_PACKAGES.filter(([name, version]) => !locatePackage(dirs, name, version)).map(([name, version]) => `${name}#${version}`);
}

/**
 * The package directory tests pass as `packagesDir` / `--packages`: the first of testPackageDirs() that
 * holds every test package (fhirseed then still looks in $FHIRSEED_PACKAGES and ~/.fhir/packages after
 * it), else ../shared/fhir-packages. test/helpers/packages-setup.ts fails the run once, naming the places
 * looked, when a package is nowhere.
 */
export const SHARED_PACKAGES: string =
  testPackageDirs().find((dir) => TEST_PACKAGES.every(([name, version]) => locatePackage([dir], name, version))) ?? SIBLING_PACKAGES;

const cache = new Map<string, Map<string, Buffer>>();

/** `hl7.fhir.us.core-6.1.0` → name and version. */
function splitName(name: string): [string, string] {
  const m = /^(.+)-(\d[^-]*)$/.exec(name);
  if (!m) throw new Error(`${name}: expected <package>-<version>`);
  return [m[1]!, m[2]!];
}

/**
 * Files of a package (by `<name>-<version>`), path inside the package → bytes, found the way fhirseed
 * finds packages (.tgz or unpacked folder; see src/validate/packages.ts for which files a folder gives).
 */
export function packageFiles(name: string): Map<string, Buffer> {
  const hit = cache.get(name);
  if (hit) return hit;
  const dirs = [SHARED_PACKAGES, ...testPackageDirs()];
  const files = findPackageFiles(dirs, ...splitName(name));
  if (!files) throw new Error(`FHIR package ${name} not found in ${dirs.join(', ')}`);
  cache.set(name, files);
  return files;
}

/** The package as a .tgz, as a registry serves it: the file itself, or its unpacked folder packed with `tar`. */
export function packageTarball(name: string, version: string): Buffer | undefined {
  const path = locatePackage([SHARED_PACKAGES, ...testPackageDirs()], name, version);
  if (!path) return undefined;
  if (path.endsWith('.tgz')) return readFileSync(path);
  return execFileSync('tar', ['-czf', '-', '-C', dirname(path), 'package'], { maxBuffer: 1 << 30 });
}

export function readPackageJson(name: string, path: string): unknown {
  const file = packageFiles(name).get(path);
  if (!file) throw new Error(`${name} has no ${path}`);
  return JSON.parse(file.toString('utf8'));
}

/**
 * Codes that the IG profiles themselves fix (fixed[x] / pattern[x] in their snapshots, e.g. LOINC
 * 72166-2 of US Core smoking status): builders may name these without a code-map row.
 */
export function profileFixedCodes(packages: string[] = [
  'hl7.fhir.us.core-6.1.0', 'hl7.fhir.us.core-3.1.1', 'hl7.fhir.us.carin-bb-2.0.0',
  'hl7.fhir.us.davinci-pdex-plan-net-1.1.0', 'hl7.fhir.us.davinci-drug-formulary-2.0.1', 'hl7.fhir.us.davinci-pdex-2.0.0',
]): Set<string> {
  const codes = new Set<string>();
  const strings = (v: unknown): void => {
    if (typeof v === 'string') codes.add(v);
    else if (Array.isArray(v)) v.forEach(strings);
    else if (v && typeof v === 'object') Object.values(v).forEach(strings);
  };
  for (const name of packages) {
    for (const [path, bytes] of packageFiles(name)) {
      if (!/^StructureDefinition-[^/]+\.json$/.test(path)) continue;
      const sd = JSON.parse(bytes.toString('utf8')) as { snapshot?: { element?: Record<string, unknown>[] } };
      for (const el of sd.snapshot?.element ?? []) {
        for (const [k, v] of Object.entries(el)) if (k.startsWith('fixed') || k.startsWith('pattern')) strings(v);
      }
    }
  }
  return codes;
}

/**
 * For tests of downloading, which fhirseed does only when no package directory is named: removes
 * $FHIRSEED_PACKAGES until the returned function puts it back.
 */
export function withoutPackagesVariable(): () => void {
  const saved = process.env.FHIRSEED_PACKAGES;
  delete process.env.FHIRSEED_PACKAGES;
  return () => {
    if (saved !== undefined) process.env.FHIRSEED_PACKAGES = saved;
  };
}
