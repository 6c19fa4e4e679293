import { join } from 'node:path';
import { readTgz } from '../../src/validate/tar.js';

/** The IG packages: $FHIRSEED_PACKAGES, else ../shared/fhir-packages beside the checkout (never copied into the repository). */
export const SHARED_PACKAGES = process.env.FHIRSEED_PACKAGES ?? join(process.cwd(), '..', 'shared', 'fhir-packages');

const cache = new Map<string, Map<string, Buffer>>();

/** Files of a package .tgz (by file name without .tgz), path → bytes. */
export function packageFiles(name: string): Map<string, Buffer> {
  const hit = cache.get(name);
  if (hit) return hit;
  const files = readTgz(join(SHARED_PACKAGES, `${name}.tgz`));
  cache.set(name, files);
  return files;
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
export function profileFixedCodes(packages: string[] = ['hl7.fhir.us.core-6.1.0', 'hl7.fhir.us.core-3.1.1', 'hl7.fhir.us.carin-bb-2.0.0']): Set<string> {
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
