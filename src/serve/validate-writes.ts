import type { ValidatorOptionNames } from '../validate/validator.js';
import type { Bundle, BundleEntry, OperationOutcome, OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { bundleScope, type BundleScope } from '../validate/bundle-scope.js';
import { issueResource } from '../validate/summary.js';
import type { Issue } from '../validate/validator.js';
import type { AtomicMemoryRepository } from './router.js';

export interface WriteValidationOptions {
  /** Package directory; default $FHIRSEED_PACKAGES, else ~/.fhir/packages. */
  packagesDir?: string;
  /** IGs whose profiles are checked (default carin-bb@2.0.0 and us-core@6.1.0). */
  igs?: string[];
  /** How the validator's errors name the two (createValidator's names): startServer's `options.validate.igs`, serve's `--ig`. */
  names?: ValidatorOptionNames;
}

/**
 * The error issues of a set of resources written together; empty when they may be stored. `scope`: the Bundle
 * (transaction or batch) they are entries of, against whose fullUrls their `urn:uuid:`/`urn:oid:` references resolve
 * (src/validate/bundle-scope.ts), as `fhirseed validate` resolves them in a Bundle file.
 */
export type WriteCheck = (resources: Resource[], scope?: BundleScope) => Issue[];

/** medplum's getStatus answers 422 for an OperationOutcome with this id. */
const UNPROCESSABLE_ID = 'business-rule';
const UNRESOLVED = /^reference '([^']+)' does not resolve within the validated set$/;

/**
 * fhirseed's validator (R4 base rules, the profiles a resource claims in meta.profile, invariants,
 * required bindings) applied to writes. A reference that does not resolve within the written
 * resources is only an error when the server does not hold its target either.
 */
export async function createWriteCheck(repo: AtomicMemoryRepository, options: WriteValidationOptions = {}): Promise<WriteCheck> {
  // Imported here, with --validate only: the validator's modules (fhirpath among them) cost ~130 ms of every start.
  const { createValidator } = await import('../validate/validator.js');
  const validator = await createValidator({ packagesDir: options.packagesDir, igs: options.igs }, options.names);
  return (resources, scope) =>
    validator.validate(resources, undefined, scope && (() => scope)).filter((issue) => {
      if (issue.severity !== 'error') return false;
      const target = UNRESOLVED.exec(issue.message)?.[1]?.replace(/\/_history\/.*$/, '');
      if (!target) return true;
      const [type = '', id = ''] = target.split('/');
      return !repo.has(type, id);
    });
}

/** 422 Unprocessable Entity with one issue per validation error, `prefix` before each path. */
export function validationOutcome(issues: Issue[], prefix = ''): OperationOutcome {
  return {
    resourceType: 'OperationOutcome',
    id: UNPROCESSABLE_ID,
    issue: issues.map(
      (issue): OperationOutcomeIssue => ({
        severity: 'error',
        code: 'processing',
        details: { text: `${issueResource(issue)}: ${issue.message}${issue.profile ? ` (${issue.profile})` : ''}` },
        expression: [`${prefix}${issue.path}`],
      }),
    ),
  };
}

/** The entries of a transaction or batch that carry a resource to store (POST, PUT), by index; odd entries (null) skipped. */
function writtenResources(bundle: Bundle): { index: number; resource: Resource }[] {
  return (bundle.entry ?? []).flatMap((entry: BundleEntry | null, index) =>
    typeof entry?.resource === 'object' && (entry.request?.method === 'POST' || entry.request?.method === 'PUT') ? [{ index, resource: entry.resource }] : [],
  );
}

/**
 * A transaction is checked as a whole (its entries may point at each other): any error refuses it.
 * In a batch each entry stands alone: the answer maps each refused entry's index to its outcome.
 * Either way a `urn:uuid:`/`urn:oid:` reference resolves only to an entry of the Bundle with that fullUrl
 * (R4 bundle.html §2.36.4.1), so one no entry has is an error naming the entry and the reference. The Bundle's own
 * rules (a fullUrl's form, a batch entry referring to another) are not checked here: they are a 400 with or without
 * --validate (transaction.ts bundleRuleProblems), answered before this check.
 */
export function checkBundle(check: WriteCheck, bundle: Bundle): { refuse?: OperationOutcome; refusedEntries: Map<number, OperationOutcome> } {
  const written = writtenResources(bundle);
  const refusedEntries = new Map<number, OperationOutcome>();
  const scope = bundleScope(bundle);
  if (bundle.type === 'transaction') {
    const issues = check(written.map((w) => w.resource), scope);
    if (!issues.length) return { refusedEntries };
    // Keyed as the validator names an issue's resource ('' for a missing resourceType or id).
    const byResource = new Map(written.map((w) => [issueResource({ resourceType: typeof w.resource.resourceType === 'string' ? w.resource.resourceType : '', id: w.resource.id ?? '' }), w.index]));
    const located = issues.map((issue) => {
      const entry = `Bundle.entry[${byResource.get(issueResource(issue)) ?? '?'}].resource`;
      return { ...issue, path: `${entry}${issue.path.replace(/^[A-Z][A-Za-z]*/, '')}` };
    });
    return { refuse: validationOutcome(located), refusedEntries };
  }
  for (const { index, resource } of written) {
    const issues = check([resource], scope);
    if (issues.length) refusedEntries.set(index, validationOutcome(issues));
  }
  return { refusedEntries };
}
