import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { loadCodeMaps } from '../../src/codemaps/load.js';
import { generate, type GenerateOptions, type Manifest } from '../../src/output/generate.js';
import { loadProfile } from '../../src/profile/load.js';
import { profileLoadOptions } from '../../src/story/limits.js';
import type { Profile } from '../../src/profile/types.js';

export const codeMaps = loadCodeMaps();

export function shippedProfile(name = 'default'): Profile {
  return loadProfile(join(process.cwd(), 'profiles', `${name}.yaml`), profileLoadOptions(codeMaps));
}

export function tempDir(prefix = 'fhirseed-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function generateTo(dir: string, profile: Profile, options: Partial<GenerateOptions> = {}): Manifest {
  return generate({ profile, out: dir, codeMaps, ...options });
}

/** Every file under dir, relative path → bytes. */
export function readTree(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else files.set(relative(dir, p), readFileSync(p));
    }
  };
  walk(dir);
  return files;
}

/** The resources of every bundle in dir/bundles, in file order. */
export function bundleResources(dir: string): { file: string; resources: Resource[] }[] {
  const bundlesDir = join(dir, 'bundles');
  return readdirSync(bundlesDir)
    .sort()
    .map((file) => {
      const bundle = JSON.parse(readFileSync(join(bundlesDir, file), 'utf8')) as Bundle;
      return { file, resources: (bundle.entry ?? []).map((e) => e.resource as Resource) };
    });
}

/**
 * Bundle file names → whose bundles they are, once each: a member over --max-bundle-entries is written in
 * parts (member-000000.json, member-000000-2.json…), which are still one member's.
 */
export function bundleOwners(files: string[]): string[] {
  return [...new Set(files.map((f) => f.replace(/^(member-\d+|directory)(-\d+)?\.json$/, '$1').replace(/\.json$/, '')))].sort();
}
