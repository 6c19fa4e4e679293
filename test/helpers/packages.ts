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
