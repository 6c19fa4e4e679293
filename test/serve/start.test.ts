import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle } from '@medplum/fhirtypes';
import { afterAll, expect, it } from 'vitest';
import { tempDir } from '../helpers/output.js';
import { describeEmbedded, fhir } from './helpers.js';

/** Runs `fhirseed start ARGS` in a child process until it prints the base URL; `stop` sends SIGINT. */
async function start(args: string[]) {
  const child = spawn(process.execPath, ['--import', './test/seed/helpers/register-ts.mjs', 'test/serve/serve-child.mjs', 'start', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      stdout += String(d);
      const m = /sandbox at (http:\/\/\S+)/.exec(stdout);
      if (m?.[1] && stdout.includes('Ctrl-C')) resolve(m[1]);
    });
    child.once('exit', () => reject(new Error(`start exited early: ${stderr}`)));
  });
  const stop = async () => {
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    return { code: code as number, stdout, stderr };
  };
  return { url, stdout: () => stdout, stop };
}

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
    expect(text).toMatch(/is empty; generating/);
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
    const stopped = await run.stop();
    expect(stopped.code).toBe(0);
    expect(stopped.stdout).toContain('server stopped');
    expect(stopped.stderr).toBe('');
  }, 90_000);

  it('should serve an existing population as it is, without generating', async () => {
    const manifest = readFileSync(join(out, 'manifest.json'));
    const run = await start(['--out', out, '--port', '0']);
    expect(run.stdout()).toMatch(/serving the population already in/);
    expect(run.stdout()).not.toMatch(/generating/);
    expect(readFileSync(join(out, 'manifest.json'))).toEqual(manifest);
    expect((await run.stop()).code).toBe(0);
  }, 90_000);
});
