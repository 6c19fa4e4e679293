import { readFileSync } from 'node:fs';
import { UserError } from '../../util/errors.js';
import { parseJsonText } from '../../util/json-text.js';
import { coverage } from '../../validate/coverage.js';
import { igsFromManifests } from '../../validate/manifest-igs.js';
import { parseIg } from '../../validate/packages.js';
import { readResources } from '../../validate/read.js';
import { buildReport, type ValidationReport } from '../../validate/summary.js';
import { createValidator, DEFAULT_IGS, VALIDATOR_CLI_NAMES } from '../../validate/validator.js';

/**
 * Reads a `fhirseed validate --json` output file. Throws UserError (one line naming the file) when it
 * cannot be read, is not JSON, or lacks the report's fields (resources, errors, errorsByProfile, issues, coverage).
 */
export function loadValidation(file: string): ValidationReport {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError(`--validation ${file}: cannot read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const json = parseJsonText<unknown>(text, `--validation ${file}`);
  const r = json as Partial<ValidationReport> | null;
  const ok =
    typeof r === 'object' && r !== null &&
    typeof r.resources === 'number' && typeof r.errors === 'number' &&
    typeof r.errorsByProfile === 'object' && Array.isArray(r.issues) && Array.isArray(r.coverage);
  if (!ok) throw new UserError(`--validation ${file}: not a 'fhirseed validate --json' report (expected resources, errors, errorsByProfile, issues and coverage)`);
  return { warnings: 0, readProblems: [], notes: [], ...r } as ValidationReport;
}

/**
 * Validates the data under `path` as `fhirseed validate --json` would (the IGs of its manifest.json,
 * else the defaults; packages from `packagesDir`, $FHIRSEED_PACKAGES or ~/.fhir/packages), listing the
 * first 50 issues. Throws UserError when the packages cannot be found.
 */
export async function validateInline(path: string, packagesDir?: string): Promise<ValidationReport> {
  const read = readResources([path]);
  const fromManifest = igsFromManifests([path]);
  const igs = fromManifest?.igs ?? DEFAULT_IGS;
  const validator = await createValidator({ igs, packagesDir }, VALIDATOR_CLI_NAMES); // report --validate's --packages
  const issues = validator.validate(read.resources, () => {}, (r) => read.scopes.get(r));
  const named = igs.map((ig) => parseIg(ig));
  const reports = validator.packages
    .filter((p) => named.some((n) => n.name === p.name && n.version === p.version))
    .map((p) => coverage(read.resources, p, validator));
  return buildReport(read, issues, reports, 50, [...validator.warnings]);
}

/**
 * Refuses a `--validation` report of other data than the page's: one UserError naming both sides when the report's
 * IGs (`coverage[].ig`, `name#version`) are not those the output under `dir` was generated for (its manifest's `igs`;
 * a subset is fine: `validate --ig` may choose fewer), or when it validated another number of resources than the
 * `resources` the report read (both count each `Type/id` once, `brands.json`'s entries included). Without a manifest
 * (data from elsewhere) only the count is compared. F9 of session 17's trial: a US Core 6.1.0 validation shown on a
 * 3.1.1 output's page.
 */
export function checkValidationOf(validation: ValidationReport, file: string, dir: string, resources: number): void {
  const fix = `give the output of 'fhirseed validate ${dir} --json', or use --validate`;
  let manifest: ReturnType<typeof igsFromManifests>;
  try {
    manifest = igsFromManifests([dir]);
  } catch {
    manifest = undefined; // outputs of different IG versions: the count is still compared
  }
  if (manifest) {
    const generated = new Map(manifest.igs.map((ig) => ig.split('@') as [string, string]));
    const other = validation.coverage.map((c) => c.ig).filter((ig) => generated.get(ig.split('#')[0]!) !== ig.split('#')[1]);
    if (other.length) {
      const named = manifest.igs.map((ig) => ig.replace('@', '#'));
      throw new UserError(`--validation ${file}: validates against ${other.join(', ')}, but ${dir} was generated for ${named.join(', ')}; ${fix}`);
    }
  }
  if (validation.resources !== resources) {
    throw new UserError(`--validation ${file}: validated ${count(validation.resources)} resources, but ${dir} holds ${count(resources)}; ${fix}`);
  }
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
