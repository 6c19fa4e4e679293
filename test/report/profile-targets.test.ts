import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { parseProfile } from '../../src/profile/load.js';
import { report, type Report } from '../../src/report/index.js';
import { builtInTargetsFile } from '../../src/report/targets.js';
import { profileLoadOptions } from '../../src/story/limits.js';
import { ProfileError } from '../../src/util/errors.js';
import { codeMaps, generateTo, tempDir } from '../helpers/output.js';

const options = profileLoadOptions(codeMaps);
const maText = readFileSync(join('profiles', 'medicare-advantage.yaml'), 'utf8');
// Two rows a 15-member book cannot miss or meet: a wide band that passes and a share that cannot be reached.
const targets = `
targets:
  - { id: "own-1", statistic: claims-per-member-year.professional, book: medicare, target: 20, tolerance: { min: 0, max: 1000 }, source: "Our book, 2025" }
  - { id: "own-2", statistic: no-claim-share, target: 0.99, tolerance: { absolute: 0.001 }, source: "Our book, 2025" }
`;

const judged = (r: Report) => r.books.flatMap((b) => b.rows.filter((x) => x.target).map((x) => `${b.book} ${x.target!.id} ${x.result}`)).sort();

describe('a profile with its own targets', () => {
  const temp = tempDir('fhirseed-profile-targets-');
  const out = join(temp.dir, 'out');
  beforeAll(() => {
    const profile = parseProfile(`${maText.replace(/^members: \d+$/m, 'members: 15')}${targets}`, 'mine.yaml', options);
    expect(profile.targets?.map((t) => t.book)).toEqual(['medicare', 'all']);
    generateTo(out, profile);
  });
  afterAll(() => temp.cleanup());

  it('should have report judge the profile targets (from the manifest), not the built-in ones', async () => {
    const r = await report(out);
    expect(r.targetsFile).toBe(`profile medicare-advantage (${join(out, 'manifest.json')})`);
    expect(judged(r)).toEqual(['all own-2 fail', 'medicare own-1 pass']);
  });

  it('should still find them after the output directory is moved', async () => {
    const moved = join(temp.dir, 'moved');
    renameSync(out, moved);
    try {
      expect(judged(await report(moved))).toEqual(['all own-2 fail', 'medicare own-1 pass']);
    } finally {
      renameSync(moved, out);
    }
  });

  it('should let --targets FILE override them', async () => {
    const r = await report(out, builtInTargetsFile());
    expect(r.targetsFile).toBe(builtInTargetsFile());
    expect(judged(r)).not.toContain('medicare own-1 pass');
    expect(judged(r)).toContain(`medicare 4a ${r.books.find((b) => b.book === 'medicare')!.rows.find((x) => x.target?.id === '4a')!.result}`);
  });

  it('should refuse a manifest whose targets were edited into bad rows, in one line naming it', async () => {
    const file = join(out, 'manifest.json');
    const before = readFileSync(file, 'utf8');
    try {
      const manifest = JSON.parse(before);
      manifest.targets[1].statistic = 'nope';
      writeFileSync(file, JSON.stringify(manifest));
      await expect(report(out)).rejects.toThrow(new RegExp(`^${file.replace(/[.\\/]/g, '\\$&')}: targets\\[1\\]\\.statistic: unknown statistic 'nope'`));
    } finally {
      writeFileSync(file, before);
    }
  });
});

describe('a profile target for a book the profile does not have', () => {
  const bad = `${maText}
targets:
  - { id: "c1", statistic: admissions-per-1000, book: commercial, target: 50, tolerance: { relative: 0.3 }, source: "HCCI" }
`;
  const line = bad.split('\n').findIndex((l) => l.includes('book: commercial')) + 1;
  const column = bad.split('\n')[line - 1]!.indexOf('commercial') + 1;

  it('should be a ProfileError at file:line:column of the book', () => {
    let error: unknown;
    try {
      parseProfile(bad, 'mine.yaml', options);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProfileError);
    expect((error as Error).message).toBe(
      `mine.yaml:${line}:${column}: targets[0].book: a target for the commercial book, which this profile has no members in (its books: medicare; dental only for a payer with no medical plan)`,
    );
  });

  it('should stop generate with that one line and exit 2, writing nothing', async () => {
    const temp = tempDir('fhirseed-profile-targets-bad-');
    try {
      const file = join(temp.dir, 'mine.yaml');
      writeFileSync(file, bad);
      let stderr = '';
      const code = await runCli(['generate', '--profile', file, '--out', join(temp.dir, 'out')], { stdout: () => {}, stderr: (t) => (stderr += t), isTty: false });
      expect(code).toBe(2);
      expect(stderr).toBe(`fhirseed: ${file}:${line}:${column}: targets[0].book: a target for the commercial book, which this profile has no members in (its books: medicare; dental only for a payer with no medical plan)\n`);
    } finally {
      temp.cleanup();
    }
  });

  it('should accept a dental target only from a dental-only payer', () => {
    const dental = readFileSync(join('profiles', 'dental.yaml'), 'utf8');
    const row = '  - { id: "d1", statistic: dental-allowed-per-member-year, book: dental, target: 400, tolerance: { relative: 0.3 }, source: "NADP" }\n';
    expect(parseProfile(`${dental}\ntargets:\n${row}`, 'dental.yaml', options).targets?.[0]?.book).toBe('dental');
    expect(() => parseProfile(`${maText}\ntargets:\n${row}`, 'mine.yaml', options)).toThrow(/targets\[0\]\.book: a target for the dental book/);
  });
});
