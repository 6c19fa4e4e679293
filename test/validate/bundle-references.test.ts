import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle, Coverage, OperationOutcome, Provenance, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { startServer } from '../../src/serve/index.js';
import { readResources } from '../../src/validate/read.js';
import { scanFiles, validateScanned } from '../../src/validate/stream.js';
import { buildReport, formatSummary, issueResource } from '../../src/validate/summary.js';
import type { Issue, Validator } from '../../src/validate/validator.js';
import { tempDir } from '../helpers/output.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';
import { usCoreExamples } from '../helpers/validator.js';
import { describeEmbedded, fhir } from '../serve/helpers.js';

/**
 * `urn:uuid:` references inside a Bundle resolve against its entries' fullUrls (R4 bundle.html §2.36.4.1): an
 * unresolved one is an error at the Reference's path, a resolved one has its entry's type for targetProfile and
 * `resolve() is T` checks; and an issue names a resource without resourceType or id readably (never `undefined`).
 */

const PRACTITIONER = 'urn:uuid:0b4e1a52-7c1d-4f7e-9a41-000000000001';
const ORGANIZATION = 'urn:uuid:0b4e1a52-7c1d-4f7e-9a41-000000000002';
const NOWHERE = 'urn:uuid:0b4e1a52-7c1d-4f7e-9a41-0000000000ff';

let validator: Validator;
let example: Awaited<ReturnType<typeof usCoreExamples>>['example'];
const temp = tempDir('fhirseed-bundle-refs-');
afterAll(() => temp.cleanup());

beforeAll(async () => {
  ({ validator, example } = await usCoreExamples());
}, 600_000);

/** A transaction Bundle: a Practitioner and an Organization by urn:uuid, a Provenance whose agent is the Practitioner, a Coverage whose beneficiary is the Organization and whose payor is nowhere. */
function transaction(): Bundle {
  const provenance = example<Provenance>('Provenance', 'example-targeted-provenance');
  provenance.agent = [{ ...provenance.agent[0]!, who: { reference: PRACTITIONER } }];
  delete provenance.agent[0]!.onBehalfOf;
  const coverage = example<Coverage>('Coverage', 'coverage-example');
  coverage.beneficiary = { reference: ORGANIZATION };
  coverage.payor = [{ reference: NOWHERE }];
  const entry = (fullUrl: string, resource: Resource) => ({ fullUrl, resource, request: { method: 'PUT' as const, url: `${resource.resourceType}/${resource.id}` } });
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      entry(PRACTITIONER, { resourceType: 'Practitioner', id: 'pr-urn', name: [{ family: 'Osler' }] }),
      entry(ORGANIZATION, { resourceType: 'Organization', id: 'org-urn', name: 'Payer' }),
      entry('urn:uuid:0b4e1a52-7c1d-4f7e-9a41-000000000003', provenance),
      entry('urn:uuid:0b4e1a52-7c1d-4f7e-9a41-000000000004', coverage),
    ],
  };
}

/** What the urn: references gave: unresolved errors, target-type errors, provenance-1. */
function urnFindings(issues: Issue[]): string[] {
  return issues
    .filter((i) => i.message.includes('urn:uuid:') || i.message.includes('provenance-1'))
    .map((i) => `${issueResource(i)} ${i.path}: ${i.message.replace(/ \(.*$/, '')}`)
    .sort();
}

const EXPECTED = [
  `Coverage/coverage-example Coverage.beneficiary: reference '${ORGANIZATION}' points to a Organization, allowed: Patient`,
  `Coverage/coverage-example Coverage.payor[0]: reference '${NOWHERE}' does not resolve: no entry of its Bundle has this fullUrl`,
  `Provenance/example-targeted-provenance Provenance.agent: invariant provenance-1 failed: onBehalfOf SHALL be present when Provenance.agent.who is a Practitioner or Device`,
];

describe('urn:uuid: references in a transaction Bundle file', () => {
  let file: string;
  beforeAll(() => {
    file = join(temp.dir, 'transaction.json');
    writeFileSync(file, JSON.stringify(transaction(), null, 2));
  });

  it('should resolve against the fullUrls, and report the one no entry has, read whole (readResources)', () => {
    const read = readResources([file]);
    expect(read.resources).toHaveLength(4);
    const issues = validator.validate(read.resources, undefined, (r) => read.scopes.get(r));
    expect(urnFindings(issues)).toEqual(EXPECTED);
    expect(validator.skippedInvariants.has('provenance-1')).toBe(false);
  });

  it('should give the same findings streamed (scanFiles, validateScanned)', async () => {
    const scan = scanFiles([file]);
    const { issues } = await validateScanned(scan, validator, { coveragePackages: [], jobs: 1, igs: ['us-core@6.1.0'], packagesDir: SHARED_PACKAGES });
    expect(urnFindings(issues)).toEqual(EXPECTED);
  });

  it('should not resolve the same text against another Bundle: a fullUrl of one file is nothing in the next', () => {
    const other = join(temp.dir, 'other.json');
    const moved = transaction();
    moved.entry = moved.entry!.slice(2).map((e) => ({ ...e, resource: { ...e.resource!, id: `${e.resource!.id}-2` } as Resource }));
    writeFileSync(other, JSON.stringify(moved));
    const read = readResources([file, other]);
    const found = validator.validate(read.resources, undefined, (r) => read.scopes.get(r)).filter((i) => i.id.endsWith('-2') && i.message.includes('does not resolve: no entry'));
    expect(found.map((i) => i.message.slice(0, 62)).sort()).toEqual([ORGANIZATION, NOWHERE, PRACTITIONER].map((u) => `reference '${u}' does not resolve: no entry`.slice(0, 62)).sort());
  });

  it('should check a urn: reference outside any Bundle for its syntax only, as before', () => {
    const coverage = transaction().entry![3]!.resource!;
    expect(urnFindings(validator.validate([coverage]))).toEqual([]);
  });

  it('should resolve among the entries of a Bundle validated as one resource (a document)', () => {
    const bundle = { ...transaction(), id: 'doc', type: 'document' } as Bundle;
    for (const e of bundle.entry!) delete e.request;
    const found = validator.validate([bundle]).filter((i) => i.message.includes('urn:uuid:'));
    expect(found.map((i) => `${i.path}: ${i.message}`)).toEqual([`Bundle.entry[3].resource.payor[0]: reference '${NOWHERE}' does not resolve: no entry of its Bundle has this fullUrl`]);
  });

  it('should say so through the CLI, with exit 1', async () => {
    let stdout = '';
    const code = await runCli(['validate', file, '--packages', SHARED_PACKAGES, '--ig', 'us-core@6.1.0', '--max-errors', '500'], { stdout: (t) => (stdout += t), stderr: () => undefined, isTty: false });
    expect(code).toBe(1);
    expect(stdout).toContain(`error Coverage/coverage-example Coverage.payor[0]: reference '${NOWHERE}' does not resolve: no entry of its Bundle has this fullUrl`);
    expect(stdout).not.toContain(`reference '${PRACTITIONER}' does not resolve`);
  });
});

describe('an issue of a resource without resourceType or id', () => {
  it('should name it readably in the summary, never undefined', () => {
    const issues = validator.validate([{ id: 'x' } as unknown as Resource, {} as Resource, { resourceType: 'Patient', birthDate: '1 Jan 1970' } as unknown as Resource]);
    expect(issues.map((i) => [i.resourceType, i.id])).toContainEqual(['', 'x']);
    const summary = formatSummary(buildReport({ resources: 3, problems: [] }, issues, [], 50, []));
    expect(summary).toContain('error (no resourceType)/x Resource: resource has no resourceType');
    expect(summary).toContain('error (no resourceType, no id) Resource: resource has no resourceType');
    expect(summary).toMatch(/error Patient \(no id\) Patient\.birthDate: /);
    expect(summary).not.toContain('undefined');
  });

  it('should name a resource without id as `Type (no id)` through validate on a file, in the summary and --json', async () => {
    const file = join(temp.dir, 'no-id.ndjson');
    writeFileSync(file, `${JSON.stringify({ resourceType: 'Patient', birthDate: '1 Jan 1970' })}\n`);
    const out = async (...extra: string[]) => {
      let stdout = '';
      await runCli(['validate', file, '--packages', SHARED_PACKAGES, '--ig', 'us-core@6.1.0', ...extra], { stdout: (t) => (stdout += t), stderr: () => undefined, isTty: false });
      return stdout;
    };
    const summary = await out();
    expect(summary).toMatch(/error Patient \(no id\) Patient\.birthDate: /);
    expect(summary).not.toContain('undefined');
    const report = JSON.parse(await out('--json')) as { issues: Issue[] };
    expect(report.issues.map((i) => i.id)).toEqual(report.issues.map(() => ''));
  });
});

describeEmbedded('serve --validate: a transaction entry without resourceType', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeAll(async () => {
    server = await startServer({ port: 0, validate: { igs: ['us-core@6.1.0'] }, packagesDir: SHARED_PACKAGES });
  }, 600_000);
  afterAll(() => server?.close());

  it('should be refused naming its entry and the PUT it does not fit, never undefined', async () => {
    const entry = [
      { fullUrl: 'urn:uuid:0b4e1a52-7c1d-4f7e-9a41-000000000010', resource: { resourceType: 'Patient', id: 'nt-1' }, request: { method: 'PUT', url: 'Patient/nt-1' } },
      { fullUrl: 'urn:uuid:0b4e1a52-7c1d-4f7e-9a41-000000000011', resource: { id: 'nt-cov' }, request: { method: 'PUT', url: 'Coverage/nt-cov' } },
    ];
    const reply = await fhir<OperationOutcome>(server.url, { method: 'POST', body: { resourceType: 'Bundle', type: 'transaction', entry } });
    // A PUT Type/id entry's resource of no (or another) type is the Bundle's own rule, answered before the validator.
    expect(reply.status).toBe(400);
    const issues = (reply.body.issue ?? []).map((i) => `${i.expression?.[0]} ${i.details?.text}`);
    expect(issues).toEqual(["Bundle.entry[1].resource.resourceType Bundle.entry[1].resource's resourceType is missing, but PUT Coverage/nt-cov takes a Coverage"]);
    expect((await fhir(`${server.url}/Patient/nt-1`)).status).toBe(404);
  });
});
