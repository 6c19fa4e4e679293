// `fhirseed serve --read-workers N` (issue 17): the CLI's worker count for the SQLite store's searches and reads, run
// as a child process on dist/ (npm run build first). One generated member; each server with workers starts them
// before serving (R4's search parameters and the store's types indexed in each), so a case takes a few seconds.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bundle, Patient } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readWorkersOption } from '../../src/cli/commands/serve.js';
import { UserError } from '../../src/util/errors.js';
import { runBin } from '../helpers/cli.js';
import { generateTo, shippedProfile, tempDir } from '../helpers/output.js';
import { fhir, runCliChild } from './helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
let out: { dir: string; cleanup: () => void };
let patient = '';

beforeAll(() => {
  out = tempDir('fhirseed-read-workers-cli-');
  generateTo(out.dir, { ...shippedProfile('default'), members: 1 }, { formats: ['ndjson'] });
  patient = (JSON.parse(readFileSync(join(out.dir, 'ndjson', 'Patient.ndjson'), 'utf8').split('\n')[0]!) as Patient).id!;
}, 120_000);
afterAll(() => out.cleanup());

describe('serve --read-workers', () => {
  for (const [workers, line] of [
    [0, 'fhirseed: searches and reads on the server thread (--read-workers 0)'],
    [2, 'fhirseed: searches and reads on 2 read worker threads'],
  ] as const) {
    it(`should serve with ${workers} read workers, and a read and a search after a write see it`, async () => {
      const run = await runCliChild(['serve', out.dir, '--port', '0', '--read-workers', String(workers)]);
      try {
        expect(run.stdout()).toContain(`${line}\n`);
        const url = `${run.url}/Patient/${patient}`;
        // Read first (a worker keeps what it parsed), then change it, then read again: the write is seen.
        for (let i = 0; i < 4; i++) expect((await fhir<Patient>(url)).status).toBe(200);
        const before = (await fhir<Patient>(url)).body;
        const gender = before.gender === 'other' ? 'unknown' : 'other';
        const changed = { ...before, gender } as Patient;
        delete changed.meta;
        expect((await fhir(url, { method: 'PUT', body: changed })).status).toBe(200);
        for (let i = 0; i < 4; i++) {
          expect((await fhir<Patient>(url)).body.gender).toBe(gender);
          expect((await fhir<Bundle<Patient>>(`${run.url}/Patient?_id=${patient}`)).body.entry?.[0]?.resource?.gender).toBe(gender);
        }
      } finally {
        expect((await run.stop()).code).toBe(130);
      }
    }, 90_000);
  }

  it('should refuse a count that is not a whole number 0–64, and workers for the memory store, in one line (exit 2)', async () => {
    const bin = join(ROOT, 'dist', 'src', 'cli', 'bin.js');
    const bad = await runBin(bin, ['serve', out.dir, '--port', '0', '--read-workers', 'two'], ROOT);
    expect(bad).toMatchObject({ code: 2, stdout: '' });
    expect(bad.stderr).toBe('fhirseed: --read-workers two: expected a whole number 0–64\n');
    expect(() => readWorkersOption({ store: 'memory', 'read-workers': '2' })).toThrow(
      new UserError('--read-workers 2: only with --store sqlite or --store FILE (the memory store is searched on the server thread)'),
    );
    expect(readWorkersOption({ store: 'memory', 'read-workers': '0' })).toBe(0);
    expect(readWorkersOption({ store: undefined, 'read-workers': undefined })).toBeUndefined();
  }, 60_000);
});
