// allocationSitePretenuring and the validate command (issue 13: validate ran in one of three GC modes, set by which
// allocation sites V8 tenured early on). A child process keeps two million arrays from one allocation site, which
// makes V8 tenure that site when pretenuring is on, then asks (%InYoungGeneration) where 1,000 fresh arrays from the
// same site were allocated: all in the old space when the site was tenured, all young when pretenuring is off.
//
// The child turns off V8's page promotion (--no-page-promotion). With it, the decision raced the first mark-compact,
// which ends concurrent marking whenever the marking threads are done: one that came early (a full GC at the 2,000th,
// 5,000th, 10,000th or 200,000th array, measured) moved the young pages to the old space whole, so their arrays were
// not counted as survivors, and the site was marked "don't tenure" for good (young: 1000 where 0 is expected; the
// first case failed so once beside two other files at load ~8). With each survivor copied, and so counted, the site is
// tenured wherever the mark-compacts fall: the probe forces full GCs at those moments, so the race is part of what is
// tested instead of a matter of load.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/output.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';

const temp = tempDir('fhirseed-pretenuring-');
afterAll(() => temp.cleanup());

const src = (path: string) => JSON.stringify(new URL(`../../src/${path}`, import.meta.url).href);

/** How many of 1,000 arrays from a site whose first two million all survived are young, after `before` ran. */
function youngAfter(before: string): number {
  const probe = `
    ${before}
    function make(i) { return [i, i + 1, { n: i }]; }
    const keep = [];
    const fullGcAt = new Set([2000, 5000, 10000, 200000]);
    for (let i = 0; i < 2e6; i++) {
      if (fullGcAt.has(i)) gc();
      keep.push(make(i));
    }
    let young = 0;
    for (let i = 0; i < 1000; i++) if (%InYoungGeneration(make(i))) young++;
    console.log(JSON.stringify({ young, kept: keep.length }));
  `;
  const register = new URL('../../src/output/ts-worker-register.mjs', import.meta.url).href;
  const flags = ['--allow-natives-syntax', '--expose-gc', '--no-page-promotion'];
  const r = spawnSync(process.execPath, [...flags, '--import', register, '--input-type=module', '-e', probe], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  return (JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { young: number }).young;
}

/**
 * youngAfter, probed a second time when the first probe found the site untenured: with pretenuring on, V8's decision
 * can still lose its race with an early mark-compact (ci3 of 2026-12-02 read 1000 once, beside other work), while a
 * switch left off reads 1000 every time, so a second 1000 is a real failure.
 */
function tenuredOnce(before: string): number {
  const first = youngAfter(before);
  return first === 0 ? first : youngAfter(before);
}

describe('allocationSitePretenuring', () => {
  it('should keep a site whose objects all survived allocating in the young generation when turned off, and tenure it again when turned back on', () => {
    const module = `const m = await import(${src('validate/pretenuring.ts')});`;
    expect(tenuredOnce('')).toBe(0); // V8's own behaviour: the site is tenured
    expect(youngAfter(`${module} m.allocationSitePretenuring(false);`)).toBe(1000);
    expect(tenuredOnce(`${module} m.allocationSitePretenuring(false); m.allocationSitePretenuring(true);`)).toBe(0);
  }, 240_000);

  it('should be off for the rest of the process once `fhirseed validate` has run', () => {
    const file = join(temp.dir, 'patient.ndjson');
    writeFileSync(file, `${JSON.stringify({ resourceType: 'Patient', id: 'p1', gender: 'female' })}\n`);
    const run = `
      const { runCli } = await import(${src('cli/run.ts')});
      let out = '';
      const code = await runCli(['validate', ${JSON.stringify(file)}, '--ig', 'us-core@6.1.0', '--packages', ${JSON.stringify(SHARED_PACKAGES)}], { stdout: (t) => (out += t), stderr: (t) => process.stderr.write(t), isTty: false });
      if (code !== 0 || !out.startsWith('validated 1 resource: 0 errors')) process.stderr.write('validate: ' + code + ' ' + out);
    `;
    expect(youngAfter(run)).toBe(1000);
  }, 240_000);
});
