// A Bundle entry's `urn:uuid:` fullUrl must be an R4 uuid (RFC 4122, lower-case hex) and a `urn:oid:` one an R4 oid:
// the s14 trial (U20) got 0 errors for `fullUrl: urn:uuid:not-a-uuid`, though the same text as a Reference is one.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle } from '@medplum/fhirtypes';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { fullUrlProblem } from '../../src/validate/bundle-scope.js';
import { readResources } from '../../src/validate/read.js';
import { tempDir } from '../helpers/output.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';
import { sharedValidator } from '../helpers/validator.js';

const temp = tempDir('fhirseed-fullurl-');
afterAll(() => temp.cleanup());

const GOOD = 'urn:uuid:0b4e1a52-7c1d-4f7e-9a41-000000000001';
const BAD = ['urn:uuid:not-a-uuid', 'urn:uuid:0B4E1A52-7C1D-4F7E-9A41-000000000002', 'URN:UUID:0b4e1a52-7c1d-4f7e-9a41', 'urn:oid:1.2.3a', 'urn:oid:3.1'];
const FINE = [GOOD, 'urn:oid:2.16.840.1.113883', 'https://example.org/fhir/Patient/p4', 'urn:x-other:anything'];

/** A transaction of one Patient entry per fullUrl, pretty-printed (one key a line), and each fullUrl's line:column. */
function transactionFile(name: string, fullUrls: string[]): { file: string; at: Map<string, string> } {
  const entry = fullUrls.map((fullUrl, i) => ({ fullUrl, resource: { resourceType: 'Patient', id: `p${i}` }, request: { method: 'PUT', url: `Patient/p${i}` } }));
  const text = JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry }, null, 2);
  const file = join(temp.dir, name);
  writeFileSync(file, text);
  const lines = text.split('\n');
  const at = new Map(fullUrls.map((u) => {
    const line = lines.findIndex((l) => l.includes(`"fullUrl": ${JSON.stringify(u)}`));
    return [u, `${line + 1}:${lines[line]!.indexOf(JSON.stringify(u)) + 1}`];
  }));
  return { file, at };
}

describe('a Bundle file entry\'s urn:uuid:/urn:oid: fullUrl', () => {
  it('should be a problem at the fullUrl\'s line:column when it is not of its scheme\'s form, and nothing else', () => {
    const urls = [...FINE.slice(0, 2), ...BAD, ...FINE.slice(2)];
    const { file, at } = transactionFile('mixed.json', urls);
    const read = readResources([file]);
    expect(read.resources).toHaveLength(urls.length);
    expect(read.problems.map((p) => [p.kind, `${p.line}:${p.column}`, p.message.replace(/ is not urn:.*$/, '')])).toEqual(
      BAD.map((u) => ['bundle', at.get(u), `Bundle.entry[${urls.indexOf(u)}].fullUrl ${JSON.stringify(u)}`]),
    );
    expect(read.problems[0]!.message).toBe('Bundle.entry[2].fullUrl "urn:uuid:not-a-uuid" is not urn:uuid: and a UUID in lower-case hex (R4 uuid, RFC 4122: urn:uuid:xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)');
  });

  // R4 Bundle.entry.fullUrl is "the Absolute URL for the resource" (the HL7 validator's BUNDLE_ENTRY_URL_ABSOLUTE).
  it('should be a problem when it is not absolute (no scheme), and not when it has one', () => {
    const urls = ['Patient/p0', '', 'p2', 'https://example.org/fhir/Patient/p3', 'urn:x-other:anything', 'mailto:x@example.org'];
    const { file, at } = transactionFile('relative.json', urls);
    expect(readResources([file]).problems.map((p) => [`${p.line}:${p.column}`, p.message])).toEqual(
      urls.slice(0, 3).map((u, i) => [at.get(u), `Bundle.entry[${i}].fullUrl ${JSON.stringify(u)} is not an absolute URL (R4 Bundle.entry.fullUrl, "the Absolute URL for the resource": https://…/Type/id, urn:uuid:… or urn:oid:…)`]),
    );
  });

  it('should accept every lower-case RFC 4122 UUID and refuse it with any hex digit upper-cased or any part cut short', () => {
    fc.assert(
      fc.property(fc.uuid(), fc.nat(), (uuid, at) => {
        expect(fullUrlProblem(`urn:uuid:${uuid}`)).toBeUndefined();
        const letters = [...uuid].flatMap((c, i) => (/[a-f]/.test(c) ? [i] : []));
        if (letters.length) {
          const i = letters[at % letters.length]!;
          expect(fullUrlProblem(`urn:uuid:${uuid.slice(0, i)}${uuid[i]!.toUpperCase()}${uuid.slice(i + 1)}`)).toMatch(/is not urn:uuid: and a UUID/);
        }
        const cut = at % uuid.length;
        if (uuid[cut] !== '-') expect(fullUrlProblem(`urn:uuid:${uuid.slice(0, cut)}${uuid.slice(cut + 1)}`)).toMatch(/is not urn:uuid: and a UUID/);
      }),
    );
  });

  it('should be an error through the CLI, labelled `bundle:`, exit 1', async () => {
    const { file, at } = transactionFile('one.json', ['urn:uuid:not-a-uuid', GOOD]);
    let stdout = '';
    const code = await runCli(['validate', file, '--packages', SHARED_PACKAGES, '--ig', 'us-core@6.1.0'], { stdout: (t) => (stdout += t), stderr: () => undefined, isTty: false });
    expect(code).toBe(1);
    expect(stdout).toMatch(/^validated 2 resources: 1 error/);
    expect(stdout).toContain(`  bundle: ${file}:${at.get('urn:uuid:not-a-uuid')}: Bundle.entry[0].fullUrl "urn:uuid:not-a-uuid" is not urn:uuid: and a UUID`);
  }, 300_000);

  it('should be an error at the path of a Bundle validated as one resource (a document)', async () => {
    const validator = await sharedValidator();
    const bundle = {
      resourceType: 'Bundle', id: 'doc', type: 'document', timestamp: '2025-01-01T00:00:00Z', identifier: { system: 'urn:ietf:rfc:3986', value: GOOD },
      entry: [...FINE, ...BAD].map((fullUrl, i) => ({ fullUrl, resource: { resourceType: 'Patient', id: `d${i}` } })),
    } as Bundle;
    const found = validator.validate([bundle]).filter((i) => /fullUrl/.test(i.path));
    expect(found.map((i) => [i.severity, i.path, i.message.replace(/ is not urn:.*$/, '')])).toEqual(BAD.map((u, k) => ['error', `Bundle.entry[${FINE.length + k}].fullUrl`, JSON.stringify(u)]));
  }, 300_000);
});
