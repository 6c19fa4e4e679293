import { UserError } from '../util/errors.js';

/** The implementation guides fhirseed can emit, as a profile's `igs:` and `generate --ig` name them. */
export const IG_NAMES = ['carin-bb', 'us-core', 'plan-net', 'formulary', 'pdex'] as const;
export type IgName = (typeof IG_NAMES)[number];

/**
 * The FHIR package of each IG and the canonical base of its profiles. `version` is fixed but for
 * US Core, whose version is the run's (`usCore` in the profile, `generate --us-core`).
 */
export const IG_PACKAGES: Record<IgName, { packageId: string; version?: string; canonicalBase: string }> = {
  'carin-bb': { packageId: 'hl7.fhir.us.carin-bb', version: '2.0.0', canonicalBase: 'http://hl7.org/fhir/us/carin-bb/' },
  'us-core': { packageId: 'hl7.fhir.us.core', canonicalBase: 'http://hl7.org/fhir/us/core/' },
  'plan-net': { packageId: 'hl7.fhir.us.davinci-pdex-plan-net', version: '1.1.0', canonicalBase: 'http://hl7.org/fhir/us/davinci-pdex-plan-net/' },
  formulary: { packageId: 'hl7.fhir.us.davinci-drug-formulary', version: '2.0.1', canonicalBase: 'http://hl7.org/fhir/us/davinci-drug-formulary/' },
  pdex: { packageId: 'hl7.fhir.us.davinci-pdex', version: '2.0.0', canonicalBase: 'http://hl7.org/fhir/us/davinci-pdex/' },
};

/**
 * The FHIR packages of a selection, package id → version (the manifest's `igs`, which `validate`
 * loads), in IG_NAMES order.
 */
export function igPackageVersions(igs: Iterable<IgName>, usCoreVersion: string): Record<string, string> {
  const selected = new Set(igs);
  return Object.fromEntries(IG_NAMES.filter((ig) => selected.has(ig)).map((ig) => [IG_PACKAGES[ig].packageId, IG_PACKAGES[ig].version ?? usCoreVersion]));
}

/**
 * `generate --ig` values (repeatable, each a comma list) → the selected IGs, in IG_NAMES order.
 * Throws a UserError naming the known IGs for an unknown one, or when none is named.
 */
export function parseIgOption(values: readonly string[]): IgName[] {
  const names = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  const unknown = names.find((n) => !(IG_NAMES as readonly string[]).includes(n));
  if (unknown !== undefined) throw new UserError(`--ig ${unknown}: unknown IG (known: ${IG_NAMES.join(', ')})`);
  if (!names.length) throw new UserError(`--ig: name at least one of ${IG_NAMES.join(', ')}`);
  return IG_NAMES.filter((ig) => names.includes(ig));
}
