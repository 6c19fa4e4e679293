// A `Type/id` that repeats an earlier one is validated once, at its first place; a repeat whose content differs
// (an ndjson/ line edited by hand beside the generated bundles/) must not pass silently (new-user trial, session 11).
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeySet } from '../../src/validate/key-set.js';
import { generateTo, shippedProfile, tempDir } from '../helpers/output.js';
import { validateCli } from '../helpers/validate-cli.js';

const temp = tempDir('fhirseed-validate-repeat-');
afterAll(() => temp.cleanup());
const clean = join(temp.dir, 'clean');
const edited = join(temp.dir, 'edited');
const respaced = join(temp.dir, 'respaced');
let editedLine = 0;
let editedId = '';

beforeAll(() => {
  generateTo(clean, { ...shippedProfile('default'), members: 4 });
  const file = join('ndjson', 'Patient.ndjson');
  const lines = readFileSync(join(clean, file), 'utf8').split('\n');
  cpSync(clean, edited, { recursive: true });
  editedLine = 3;
  const patient = JSON.parse(lines[editedLine - 1]!) as { id: string; gender: string };
  editedId = patient.id;
  lines[editedLine - 1] = JSON.stringify({ ...patient, gender: 'yes' });
  writeFileSync(join(edited, file), lines.join('\n'));
  // The same content written differently (spaces, CRLF): no difference.
  cpSync(clean, respaced, { recursive: true });
  const original = readFileSync(join(clean, file), 'utf8').split('\n');
  writeFileSync(join(respaced, file), original.map((l) => (l ? `${JSON.stringify(JSON.parse(l), null, 1).replace(/\n/g, ' ')}\r` : l)).join('\n'));
}, 120_000);

const validate = validateCli;

describe('validate: a repeated resource whose content differs', () => {
  it('should pass the unchanged output, and one whose NDJSON copies differ only in whitespace', async () => {
    for (const dir of [clean, respaced]) {
      const r = await validate([dir]);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^validated \d+ resources: 0 errors/);
      expect(r.code).toBe(0);
    }
  }, 120_000);

  it('should report an edited ndjson/ line by file:line, naming the first place, the same with --jobs 2', async () => {
    const one = await validate([edited, '--json']);
    const two = await validate([edited, '--json', '--jobs', '2']);
    expect(one.code).toBe(1);
    const report = JSON.parse(one.stdout) as { errors: number; readProblems: string[]; repeats: string[] };
    expect(report.errors).toBe(1);
    const where = join(edited, 'ndjson', 'Patient.ndjson');
    expect(report.readProblems).toEqual([]);
    expect(report.repeats).toHaveLength(1);
    expect(report.repeats[0]).toMatch(new RegExp(`^${where.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${editedLine}: Patient/${editedId} differs from the same resource in ${join(edited, 'bundles')}/`));
    expect(two.code).toBe(1);
    expect(two.stdout).toBe(one.stdout);
  }, 120_000);
});

describe('KeySet.addWith', () => {
  it('should keep the first content print of each key, across growth', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.string({ maxLength: 8 }), fc.nat()), { maxLength: 300 }), (adds) => {
        const keys = new KeySet();
        const first = new Map<string, number>();
        for (const [k, c] of adds) {
          const seen = keys.addWith(k, c >>> 0);
          expect(seen).toBe(first.get(k));
          if (!first.has(k)) first.set(k, c >>> 0);
        }
        expect(keys.size).toBe(first.size);
      }),
    );
  });
});
