import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The IG packages a fhirseed output was made for, package id → version (`hl7.fhir.us.core`: `6.1.0`), from
 * DIR/manifest.json's `igs`, or the union of a sharded run's `manifest.shard-i-of-N.json`. Undefined when DIR
 * has no readable manifest with `igs` (no DIR, or data from elsewhere): then nothing is known of its IGs.
 */
export function manifestIgs(dir: string | undefined): Record<string, string> | undefined {
  if (!dir) return undefined;
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /^manifest(\.shard-\d+-of-\d+)?\.json$/.test(n));
  } catch {
    return undefined;
  }
  const whole = names.includes('manifest.json') ? ['manifest.json'] : names.sort();
  let igs: Record<string, string> | undefined;
  for (const name of whole) {
    try {
      const found = (JSON.parse(readFileSync(join(dir, name), 'utf8')) as { igs?: unknown }).igs;
      if (found && typeof found === 'object') igs = { ...igs, ...(found as Record<string, string>) };
    } catch {
      // An unreadable manifest says nothing about the IGs.
    }
  }
  return igs;
}
