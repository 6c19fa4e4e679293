import { closeKeys } from '../util/close-keys.js';
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

/** The US Core versions fhirseed builds (`generate --us-core`, the profile's `usCore`). */
export const US_CORE_VERSIONS = ['6.1.0', '3.1.1'] as const;
export type UsCoreVersion = (typeof US_CORE_VERSIONS)[number];

/**
 * `generate --ig` values (repeatable, each a comma list of `NAME`, `NAME@VERSION` or `NAME#VERSION`, as serve's `--ig` takes them) →
 * the selected IGs in IG_NAMES order, and the US Core version when `us-core@VERSION` names one (it then acts as
 * `--us-core VERSION`). Throws a UserError naming the known IGs for an unknown one, the version built for a
 * fixed-version IG named at another, the US Core versions built for another, a us-core version differing from
 * `usCoreOption` (`--us-core`), or when none is named.
 */
export function parseIgOption(values: readonly string[], usCoreOption?: string): { igs: IgName[]; usCore?: UsCoreVersion } {
  const entries = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  const names: string[] = [];
  let usCore: UsCoreVersion | undefined;
  for (const entry of entries) {
    // `name#version` is the FHIR package notation (validate's and the package cache's): the same as `name@version`.
    const [name, version] = entry.split(/[@#]/, 2) as [string, string | undefined];
    if (!(IG_NAMES as readonly string[]).includes(name)) {
      const [close] = closeKeys(name, IG_NAMES, 1);
      throw new UserError(`--ig ${entry}: unknown IG (${close ? `did you mean ${close}? ` : ''}known: ${IG_NAMES.join(', ')})`);
    }
    names.push(name);
    if (version === undefined) continue;
    const fixed = IG_PACKAGES[name as IgName].version;
    if (fixed !== undefined && version !== fixed) throw new UserError(`--ig ${entry}: fhirseed builds ${name} ${fixed} only (--ig ${name} or ${name}@${fixed})`);
    if (fixed === undefined) {
      if (!(US_CORE_VERSIONS as readonly string[]).includes(version)) throw new UserError(`--ig ${entry}: fhirseed builds US Core ${US_CORE_VERSIONS.join(' or ')}`);
      if ((usCoreOption ?? version) !== version || (usCore ?? version) !== version) throw new UserError(`--ig ${entry}: differs from ${usCore ? `us-core@${usCore}` : `--us-core ${usCoreOption}`}; name one US Core version`);
      usCore = version as UsCoreVersion;
    }
  }
  if (!names.length) throw new UserError(`--ig: name at least one of ${IG_NAMES.join(', ')}`);
  return { igs: IG_NAMES.filter((ig) => names.includes(ig)), ...(usCore ? { usCore } : {}) };
}
