// Regenerates every ready-made data set (5 profiles × 25 members, through the built CLI: npm run build
// first) and compares it with the committed ready-made/ byte for byte. About 30 s on 2 idle cores: it
// is the one test that proves the committed downloads are what this fhirseed makes.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTree, tempDir } from '../helpers/output.js';

const COMMITTED = 'ready-made';

describe('npm run ready-made', () => {
  const temp = tempDir('fhirseed-ready-made-');
  let fresh: Map<string, Buffer>;

  beforeAll(() => {
    execFileSync(process.execPath, ['scripts/ready-made.mjs', '--out', temp.dir], { stdio: ['ignore', 'ignore', 'inherit'] });
    fresh = readTree(temp.dir);
  }, 600_000);
  afterAll(() => temp.cleanup());

  it('should regenerate the committed ready-made/ byte for byte (re-run npm run ready-made after changing the output)', () => {
    const committed = readTree(COMMITTED);
    expect([...fresh.keys()].sort()).toEqual([...committed.keys()].sort());
    const differ = [...fresh].filter(([path, bytes]) => !bytes.equals(committed.get(path)!)).map(([path]) => path);
    expect(differ).toEqual([]);
  });

  it('should hold a set per population profile with bundles, NDJSON, manifest, test accounts and the report', () => {
    const profiles = ['commercial', 'default', 'dental', 'medicaid', 'medicare-advantage'];
    for (const p of profiles) {
      for (const f of ['manifest.json', 'test-accounts.json', 'test-accounts.csv', 'report.html', `fhirseed-${p}-25.tar.gz`]) expect(fresh.has(join(p, f)), `${p}/${f}`).toBe(true);
      const listing = execFileSync('tar', ['-tzf', join(temp.dir, p, `fhirseed-${p}-25.tar.gz`)], { encoding: 'utf8' }).trim().split('\n');
      expect(listing.some((e) => /\/bundles\/.+\.json$/.test(e)), p).toBe(true);
      expect(listing.some((e) => /\/ndjson\/Patient\.ndjson$/.test(e)), p).toBe(true);
      expect(listing.some((e) => /\/manifest\.json$/.test(e)), p).toBe(true);
      expect(JSON.parse(fresh.get(join(p, 'manifest.json'))!.toString()).members.total).toBe(25);
    }
    expect([...fresh.keys()].filter((k) => !k.includes('/'))).toEqual(['README.md']);
    expect(fresh.has(join('targets', 'manifest.json'))).toBe(false);
  });

  it('should pack deterministic archives: gzip without a timestamp, tar entries sorted with zero mtimes', () => {
    const gz = readFileSync(join(temp.dir, 'default', 'fhirseed-default-25.tar.gz'));
    expect(gz.readUInt32LE(4)).toBe(0);
    const tar = gunzipSync(gz);
    const names: string[] = [];
    for (let at = 0; at + 512 <= tar.length && tar[at] !== 0; ) {
      const field = (o: number, n: number) => tar.subarray(at + o, at + o + n).toString('utf8').replace(/\0.*$/s, '');
      const name = [field(345, 155), field(0, 100)].filter(Boolean).join('/');
      expect(parseInt(field(136, 12), 8), name).toBe(0);
      names.push(name);
      at += 512 + Math.ceil(parseInt(field(124, 12), 8) / 512) * 512;
    }
    expect(names.length).toBeGreaterThan(10);
    expect(names).toEqual([...names].sort());
  });

  it('should write a README table with resources per type and profile and the realism rows', () => {
    const readme = fresh.get('README.md')!.toString();
    const manifest = JSON.parse(fresh.get(join('medicaid', 'manifest.json'))!.toString()) as { counts: { byType: Record<string, number> } };
    const row = readme.split('\n').find((l) => l.startsWith('| ExplanationOfBenefit |'))!;
    // Columns: '', type, commercial, default, dental, medicaid, …
    expect(row.split('|')[5]!.trim()).toBe(String(manifest.counts.byType.ExplanationOfBenefit));
    expect(readme).toContain('## Resources per profile');
    expect(readme).toMatch(/### medicare-advantage\n\n\| book \| statistic \| target \(range\) \| measured \| result \|/);
    expect(readme).toMatch(/\| (pass|fail) \|\n/);
  });
});
