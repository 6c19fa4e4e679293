import type { Bundle, BundleEntry, OperationOutcome, OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { bundleScope, fullUrlProblem, type BundleScope } from '../validate/bundle-scope.js';
import { issueResource } from '../validate/summary.js';
import type { Issue } from '../validate/validator.js';
import type { AtomicMemoryRepository } from './router.js';

export interface WriteValidationOptions {
  /** Package directory; default $FHIRSEED_PACKAGES, else ~/.fhir/packages. */
  packagesDir?: string;
  /** IGs whose profiles are checked (default carin-bb@2.0.0 and us-core@6.1.0). */
  igs?: string[];
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
  const validator = await createValidator({ packagesDir: options.packagesDir, igs: options.igs });
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

/** The entries of a transaction or batch that carry a resource to store (POST, PUT), by index. */
function writtenResources(bundle: Bundle): { index: number; resource: Resource }[] {
  return (bundle.entry ?? []).flatMap((entry: BundleEntry, index) =>
    entry.resource && (entry.request?.method === 'POST' || entry.request?.method === 'PUT') ? [{ index, resource: entry.resource }] : [],
  );
}

/** One refusing issue of the Bundle itself, at `expression` (`Bundle.entry[N]…`). */
function bundleIssue(expression: string, text: string): OperationOutcomeIssue {
  return { severity: 'error', code: 'processing', details: { text }, expression: [expression] };
}

/** Every string `reference` in `value` (a resource, its contained resources too), with its path below it (`.subject`). */
function referencesIn(value: unknown, path = ''): { path: string; reference: string }[] {
  if (Array.isArray(value)) return value.flatMap((item, i) => referencesIn(item, `${path}[${i}]`));
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, item]) =>
    key === 'reference' && typeof item === 'string' && path ? [{ path, reference: item }] : referencesIn(item, `${path}.${key}`),
  );
}

/**
 * The rules of the Bundle itself, by entry index: an entry's `fullUrl` of the `urn:uuid:` or `urn:oid:` scheme must be
 * of its form (fullUrlProblem, as `fhirseed validate` reads a Bundle file); and in a batch an entry's resource may not
 * refer to another entry by that entry's fullUrl: "References within a Bundle.entry.resource to another
 * Bundle.entry.resource that is being created within the batch are considered to be non-conformant" (FHIR R4
 * http.html#brules, the batch processing rules; its entries are processed apart, in no promised order).
 */
function bundleRules(bundle: Bundle): Map<number, OperationOutcomeIssue[]> {
  const entries = Array.isArray(bundle.entry) ? bundle.entry : [];
  const byEntry = new Map<number, OperationOutcomeIssue[]>();
  const add = (index: number, issue: OperationOutcomeIssue) => byEntry.set(index, [...(byEntry.get(index) ?? []), issue]);
  const fullUrls = new Map<string, number>();
  entries.forEach((entry, i) => {
    if (typeof entry?.fullUrl !== 'string') return;
    const form = fullUrlProblem(entry.fullUrl);
    if (form) add(i, bundleIssue(`Bundle.entry[${i}].fullUrl`, `Bundle.entry[${i}].fullUrl ${form}`));
    if (!fullUrls.has(entry.fullUrl)) fullUrls.set(entry.fullUrl, i);
  });
  if (bundle.type !== 'batch') return byEntry;
  entries.forEach((entry, i) => {
    if (!entry?.resource) return;
    for (const { path, reference } of referencesIn(entry.resource)) {
      const other = fullUrls.get(reference);
      if (other === undefined || other === i || entries[other]?.fullUrl === entry.fullUrl) continue;
      const name = issueResource({ resourceType: typeof entry.resource.resourceType === 'string' ? entry.resource.resourceType : '', id: entry.resource.id ?? '' });
      add(i, bundleIssue(
        `Bundle.entry[${i}].resource${path}`,
        `${name}: reference '${reference}' is the fullUrl of Bundle.entry[${other}]: the entries of a batch are processed apart and may not refer to each other (FHIR R4 http.html#brules); send them as a transaction`,
      ));
    }
  });
  return byEntry;
}

/**
 * A transaction is checked as a whole (its entries may point at each other): any error refuses it.
 * In a batch each entry stands alone: the answer maps each refused entry's index to its outcome.
 * Either way a `urn:uuid:`/`urn:oid:` reference resolves only to an entry of the Bundle with that fullUrl
 * (R4 bundle.html §2.36.4.1), so one no entry has is an error naming the entry and the reference; and the Bundle's own
 * rules (bundleRules: a fullUrl's form, a batch entry referring to another) refuse the entry that breaks them.
 */
export function checkBundle(check: WriteCheck, bundle: Bundle): { refuse?: OperationOutcome; refusedEntries: Map<number, OperationOutcome> } {
  const written = writtenResources(bundle);
  const refusedEntries = new Map<number, OperationOutcome>();
  const scope = bundleScope(bundle);
  const rules = bundleRules(bundle);
  if (bundle.type === 'transaction') {
    const issues = check(written.map((w) => w.resource), scope);
    const broken = [...rules.values()].flat();
    if (!issues.length && !broken.length) return { refusedEntries };
    // Keyed as the validator names an issue's resource ('' for a missing resourceType or id).
    const byResource = new Map(written.map((w) => [issueResource({ resourceType: typeof w.resource.resourceType === 'string' ? w.resource.resourceType : '', id: w.resource.id ?? '' }), w.index]));
    const located = issues.map((issue) => {
      const entry = `Bundle.entry[${byResource.get(issueResource(issue)) ?? '?'}].resource`;
      return { ...issue, path: `${entry}${issue.path.replace(/^[A-Z][A-Za-z]*/, '')}` };
    });
    const refuse = validationOutcome(located);
    return { refuse: { ...refuse, issue: [...broken, ...refuse.issue] }, refusedEntries };
  }
  for (const { index, resource } of written) {
    const issues = check([resource], scope);
    if (issues.length) refusedEntries.set(index, validationOutcome(issues));
  }
  for (const [index, broken] of rules) {
    const outcome = refusedEntries.get(index) ?? validationOutcome([]);
    refusedEntries.set(index, { ...outcome, issue: [...broken, ...outcome.issue] });
  }
  return { refusedEntries };
}
