// What the sandbox's start imports (issue 17): the population report's and the mapping guide's modules (the HTML
// report's charts and styles), fhirseed's validator (fhirpath) and undici took ~430 ms of CPU of every `serve` start,
// for pages, `--validate`, downloads and `$import` that most starts never see. They are imported when first needed; the
// pages still answer. A child process on the built CLI (dist/), every module the ES loader resolves logged to a file.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTo, shippedProfile, tempDir } from '../helpers/output.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';

const ROOT = join(import.meta.dirname, '..', '..');
/** Modules a start must not import: they serve only pages, --validate, package downloads and $import. */
const LATER = /\/dist\/src\/(report|guide)\/|\/dist\/src\/validate\/validator\.js$|\/node_modules\/undici\//;
let out: { dir: string; cleanup: () => void };
let child: ChildProcess | undefined;

beforeAll(() => {
  out = tempDir('fhirseed-start-imports-');
  generateTo(join(out.dir, 'pop'), { ...shippedProfile('default'), members: 1 }, { formats: ['ndjson'] });
}, 120_000);
afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGINT');
    await once(child, 'exit');
  }
  out?.cleanup();
});

describe("the sandbox's start", () => {
  it('should serve /metadata without importing the report, guide, validator or undici modules, and import them for their pages', async () => {
    const log = join(out.dir, 'modules.log');
    child = spawn(process.execPath, ['--import', join(import.meta.dirname, 'module-log.mjs'), 'dist/src/cli/bin.js', 'serve', join(out.dir, 'pop'), '--port', '0', '--store', 'memory'], {
      cwd: ROOT,
      env: { ...process.env, FHIRSEED_MODULE_LOG: log, FHIRSEED_PACKAGES: SHARED_PACKAGES },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stderr!.on('data', (d) => (text += String(d)));
    const url = await new Promise<string>((resolve, reject) => {
      child!.stdout!.on('data', (d) => {
        text += String(d);
        const found = /sandbox at (http:\/\/\S+\/fhir)/.exec(text);
        if (found) resolve(found[1]!);
      });
      child!.on('exit', () => reject(new Error(`serve stopped: ${text}`)));
    });
    expect((await fetch(`${url}/metadata`)).status).toBe(200);
    const atStart = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    // The log holds the start's modules (a vacuous log would pass the next line).
    expect(atStart.some((u) => u.endsWith('/dist/src/serve/index.js'))).toBe(true);
    expect(atStart.filter((u) => LATER.test(u))).toEqual([]);
    const site = url.replace(/\/fhir$/, '');
    for (const page of ['/mapping-guide.html', '/report.html']) {
      const answer = await fetch(`${site}${page}`);
      expect(answer.status, page).toBe(200);
      expect(await answer.text(), page).toMatch(/^<!doctype html>/i);
    }
    const later = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    expect(later.some((u) => /\/dist\/src\/guide\//.test(u))).toBe(true);
    expect(later.some((u) => /\/dist\/src\/report\/html\//.test(u))).toBe(true);
  }, 120_000);
});
