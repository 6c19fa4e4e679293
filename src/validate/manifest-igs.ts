import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '../util/errors.js';

/** The IGs a fhirseed output was written for, and the manifest that says so. */
export interface ManifestIgs {
  /** `name@version`, e.g. `hl7.fhir.us.carin-bb@2.0.0`, `hl7.fhir.us.core@3.1.1`, as `--ig` takes them. */
  igs: string[];
  /** The manifest.json files read. */
  manifests: string[];
}

/**
 * The IGs fhirseed output was generated for, from its manifest.json (`igs`: package name → version),
 * so that `validate` checks a `--us-core 3.1.1` population against US Core 3.1.1. A manifest is looked
 * for in each path (a directory) or its directory, and one level up (for `out/ndjson` or
 * `out/bundles/x.json`); only manifests written by fhirseed count. A directory without manifest.json that holds a
 * sharded run's `manifest.shard-I-of-N.json` files (generate --shard) is read through those, every shard's. Undefined
 * when there is none.
 * Throws a UserError when the paths come from outputs generated for different IG versions.
 */
export function igsFromManifests(paths: readonly string[]): ManifestIgs | undefined {
  const found = new Map<string, Record<string, string>>();
  for (const path of paths) {
    if (!existsSync(path)) continue;
    const dir = statSync(path).isDirectory() ? resolve(path) : dirname(resolve(path));
    for (const level of [dir, dirname(dir)]) {
      const manifests = manifestsIn(level).map((file) => [file, readManifestIgs(file)] as const).filter((m): m is readonly [string, Record<string, string>] => m[1] !== undefined);
      for (const [file, igs] of manifests) found.set(file, igs);
      if (manifests.length) break;
    }
  }
  const [first, ...others] = [...found];
  if (!first) return undefined;
  const [file, igs] = first;
  const key = (m: Record<string, string>) => JSON.stringify(Object.entries(m).sort());
  const different = others.find(([, m]) => key(m) !== key(igs));
  if (different) {
    throw new UserError(
      `${file} and ${different[0]} name different IG versions (${describe(igs)} vs ${describe(different[1])}): validate them separately, or choose with --ig`,
    );
  }
  return { igs: Object.entries(igs).map(([name, version]) => `${name}@${version}`), manifests: [...found.keys()] };
}

/** The name generate --shard I/N gives a shard's manifest (src/output/complete.ts reads the same). */
const SHARD_MANIFEST = /^manifest\.shard-\d+-of-\d+\.json$/;

/** `dir`'s manifest.json, or when it has none its shard manifests in name order (none when dir cannot be listed). */
function manifestsIn(dir: string): string[] {
  const whole = join(dir, 'manifest.json');
  if (existsSync(whole)) return [whole];
  try {
    return readdirSync(dir).filter((name) => SHARD_MANIFEST.test(name)).sort().map((name) => join(dir, name));
  } catch {
    return [];
  }
}

function describe(igs: Record<string, string>): string {
  return Object.entries(igs).map(([name, version]) => `${name}#${version}`).join(', ');
}

/** The `igs` of a fhirseed manifest.json, or undefined when the file is absent or not one. */
function readManifestIgs(file: string): Record<string, string> | undefined {
  if (!existsSync(file)) return undefined;
  let json: { generator?: unknown; igs?: unknown };
  try {
    json = JSON.parse(readFileSync(file, 'utf8')) as typeof json;
  } catch {
    return undefined;
  }
  if (json?.generator !== 'fhirseed' || !json.igs || typeof json.igs !== 'object') return undefined;
  const entries = Object.entries(json.igs as Record<string, unknown>).filter((e): e is [string, string] => typeof e[1] === 'string');
  return entries.length ? Object.fromEntries(entries) : undefined;
}
