import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** The IG packages: $FHIRSEED_PACKAGES, else ../shared/fhir-packages beside the checkout (never copied into the repository). */
export const SHARED_PACKAGES = process.env.FHIRSEED_PACKAGES ?? join(process.cwd(), '..', 'shared', 'fhir-packages');

const cache = new Map<string, Map<string, Buffer>>();

/** Files of a package .tgz, path → bytes, read with a minimal ustar reader. */
export function packageFiles(name: string): Map<string, Buffer> {
  const hit = cache.get(name);
  if (hit) return hit;
  const tar = gunzipSync(readFileSync(join(SHARED_PACKAGES, `${name}.tgz`)));
  const files = new Map<string, Buffer>();
  let offset = 0;
  let longName: string | undefined;
  while (offset + 512 <= tar.length) {
    const header = tar.subarray(offset, offset + 512);
    if (header.every((b) => b === 0)) break;
    const field = (start: number, len: number) => header.subarray(start, start + len).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(field(124, 12).trim() || '0', 8);
    const type = field(156, 1);
    const prefix = field(345, 155);
    let path = longName ?? (prefix ? `${prefix}/${field(0, 100)}` : field(0, 100));
    longName = undefined;
    const body = tar.subarray(offset + 512, offset + 512 + size);
    if (type === 'L') longName = body.toString('utf8').replace(/\0.*$/s, '');
    else if (type === '0' || type === '') {
      path = path.replace(/^package\//, '');
      files.set(path, body);
    }
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  cache.set(name, files);
  return files;
}

export function readPackageJson(name: string, path: string): unknown {
  const file = packageFiles(name).get(path);
  if (!file) throw new Error(`${name} has no ${path}`);
  return JSON.parse(file.toString('utf8'));
}
