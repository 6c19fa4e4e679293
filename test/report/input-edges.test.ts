import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { tempDir } from '../helpers/output.js';
import { coverage, eob, patient, writeBundle } from './builders.js';

const temp = tempDir('fhirseed-report-edges-');
afterAll(() => temp.cleanup());

async function report(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['report', ...args], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTty: false });
  return { code, stdout, stderr };
}

let n = 0;
/** A fresh directory under the temp one holding `files` (name → text). */
function dirWith(files: Record<string, string>): string {
  const dir = join(temp.dir, `d${n++}`);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const ndjson = (...rs: object[]) => `${rs.map((r) => JSON.stringify(r)).join('\n')}\n`;
const p1 = patient('p1', '1970-01-01', 'female');
const member = [coverage('c1', 'p1', 'HIP', '2025-01-01', '2025-12-31'), eob('e1', 'p1', 'professional', { start: '2025-03-01' })];

describe('report: a Type/id repeated with other content is told on stderr (the first copy is counted)', () => {
  it('should name both places, in NDJSON files and in a Bundle, keep the first copy and exit 0', async () => {
    const edited = { ...p1, gender: 'male' as const };
    const dir = dirWith({
      'a.ndjson': ndjson(p1, ...member),
      'b.ndjson': ndjson({ ...member[0]!, status: 'cancelled' }, edited),
    });
    writeBundle(join(dir, 'c.json'), [edited]);
    const r = await report([dir, '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      `fhirseed: ${join(dir, 'b.ndjson')}:1: Coverage/c1 differs from the same resource in ${join(dir, 'a.ndjson')}:2; only that one is counted\n` +
        `fhirseed: ${join(dir, 'b.ndjson')}:2: Patient/p1 differs from the same resource in ${join(dir, 'a.ndjson')}:1; only that one is counted\n` +
        `fhirseed: ${join(dir, 'c.json')}: Patient/p1 differs from the same resource in ${join(dir, 'a.ndjson')}:1; only that one is counted\n`,
    );
    const json = JSON.parse(r.stdout);
    expect(json.members.total).toBe(1);
    expect(json.resources.Patient).toBe(1);
    // The first copy (female) is the one counted.
    const sum = (sex: 'female' | 'male') => json.ageSex.reduce((t: number, row: Record<string, number>) => t + row[sex]!, 0);
    expect([sum('female'), sum('male')]).toEqual([1, 0]);
  });

  it('should say nothing of a repeat with the same content, whatever its whitespace', async () => {
    const dir = dirWith({ 'a.ndjson': ndjson(p1, ...member), 'b.ndjson': `${JSON.stringify(p1, null, 1).replace(/\n/g, ' ')}\r\n` });
    writeBundle(join(dir, 'c.json'), [p1, ...member]);
    const r = await report([dir, '--json']);
    expect([r.code, r.stderr]).toEqual([0, '']);
  });

  it('should tell ten repeats and count the rest in one line', async () => {
    const many = Array.from({ length: 12 }, (_, i) => patient(`m${i}`, '1970-01-01', 'female'));
    const dir = dirWith({ 'a.ndjson': ndjson(...many), 'b.ndjson': ndjson(...many.map((p) => ({ ...p, gender: 'male' as const }))) });
    const r = await report([dir]);
    expect(r.code).toBe(0);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(11);
    expect(lines[9]).toBe(`fhirseed: ${join(dir, 'b.ndjson')}:10: Patient/m9 differs from the same resource in ${join(dir, 'a.ndjson')}:10; only that one is counted`);
    expect(lines[10]).toBe('fhirseed: … and 2 more repeats that differ from the copy counted');
  });
});

describe('report: a byte order mark is fine; broken JSON is named at its line and column', () => {
  const manifest = { generator: 'fhirseed', profile: 'mine', targets: [{ id: 'own-1', statistic: 'no-claim-share', target: 0.5, tolerance: { absolute: 0.5 }, source: 'ours' }] };

  it('should read a manifest, a Bundle file and an NDJSON file that start with a byte order mark', async () => {
    const dir = dirWith({ 'manifest.json': `\uFEFF${JSON.stringify(manifest, null, 2)}`, 'ndjson/Patient.ndjson': `\uFEFF${ndjson(p1)}` });
    writeFileSync(join(dir, 'b.json'), `\uFEFF${JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: member.map((resource) => ({ resource })) })}`);
    const r = await report([dir, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.targetsFile).toBe(`profile mine (${join(dir, 'manifest.json')})`);
    expect(json.resources).toEqual({ Patient: 1, Coverage: 1, ExplanationOfBenefit: 1 });
  });

  it('should name the line and column of a broken manifest and of a broken Bundle file, exit 2, one line', async () => {
    const text = JSON.stringify(manifest, null, 2).replace('"profile": "mine",', '"profile": "mine",,');
    const broken = dirWith({ 'manifest.json': text, 'a.ndjson': ndjson(p1) });
    const r = await report([broken]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`fhirseed: ${join(broken, 'manifest.json')}:3:21: not JSON (Expected double-quoted property name)\n`);
    const bundle = dirWith({ 'a.ndjson': ndjson(p1), 'b.json': '{"resourceType": "Bundle",\n "entry": [' });
    const b = await report([bundle]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(new RegExp(`^fhirseed: ${join(bundle, 'b.json').replace(/[.]/g, '\\.')}:2:\\d+: not JSON \\(.+\\)\\n$`));
  });
});
