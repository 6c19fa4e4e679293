import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle } from '@medplum/fhirtypes';
import { afterAll, expect, it } from 'vitest';
import { tempDir } from '../helpers/output.js';
import { withoutNotes } from '../helpers/stderr.js';
import { describeEmbedded, fhir, runCliChild } from './helpers.js';

const start = (args: string[]) => runCliChild(['start', ...args]);

describeEmbedded('start: generate if empty, then serve (npm start)', () => {
  const temp = tempDir('fhirseed-start-');
  afterAll(() => temp.cleanup());
  const out = join(temp.dir, 'output');

  it('should be what npm start runs', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.start).toBe('node dist/src/cli/bin.js start');
  });

  it('should generate into a missing directory, serve it, and print members and example queries that work', async () => {
    const run = await start(['--out', out, '--members', '3', '--port', '0']);
    const text = run.stdout();
    expect(text).toMatch(/does not exist; generating/);
    expect(text).toMatch(/wrote 3 members/);
    expect(run.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/fhir$/);
    expect(text).toContain('Test members:');
    const example = /curl '([^']*ExplanationOfBenefit\?patient=[^']*&_include=ExplanationOfBenefit:coverage)'/.exec(text)?.[1];
    expect(example).toBeDefined();
    const reply = await fhir<Bundle>(example!);
    expect(reply.status).toBe(200);
    expect(reply.body.entry?.some((e) => e.search?.mode === 'match')).toBe(true);
    expect(reply.body.entry?.some((e) => e.search?.mode === 'include' && e.resource?.resourceType === 'Coverage')).toBe(true);
    const everything = /curl '([^']*\/\$everything)'/.exec(text)?.[1];
    expect((await fhir(everything!)).status).toBe(200);
    const index = /Index page [^:]*: (\S+)/.exec(text)?.[1];
    expect(index).toBe(`${new URL(run.url).origin}/`);
    expect((await fetch(index!)).status).toBe(200);
    expect(text).not.toMatch(/demo app/);
    const stopped = await run.stop();
    expect(stopped.code).toBe(130);
    expect(withoutNotes(stopped.stderr)).toBe('fhirseed: interrupted; server stopped (exit 130)\n');
    expect(stopped.stdout).not.toContain('server stopped');
  }, 90_000);

  it('should serve an existing population as it is, without generating, and print the member demo app under smart-patient', async () => {
    const manifest = readFileSync(join(out, 'manifest.json'));
    const run = await start(['--out', out, '--port', '0', '--auth', 'smart-patient']);
    expect(run.stdout()).toMatch(/serving the 'default' population already in/);
    // The first run built the SQLite store under output/sandbox-store: this one serves it without loading.
    expect(run.stdout()).toMatch(/\(\d+ resources in the reused store,/);
    expect(run.stdout()).toMatch(/store \S+ reused/);
    const demo = /Member demo app [^:]*: (\S+)/.exec(run.stdout())?.[1];
    expect(demo).toBe(`${new URL(run.url).origin}/demo`);
    const page = await fetch(demo!);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
    expect(run.stdout()).not.toMatch(/generating/);
    expect(readFileSync(join(out, 'manifest.json'))).toEqual(manifest);
    expect((await run.stop()).code).toBe(130);
  }, 90_000);
});
