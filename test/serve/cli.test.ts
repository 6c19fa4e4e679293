import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateTo, shippedProfile, tempDir } from '../helpers/output.js';
import { describeEmbedded, fhir } from './helpers.js';

describeEmbedded('serve: the CLI command', () => {
  const temp = tempDir('fhirseed-serve-cli-');
  beforeAll(() => void generateTo(temp.dir, { ...shippedProfile('default'), members: 3 }));
  afterAll(() => temp.cleanup());

  it('should serve DIR, print the base URL and test members, and stop cleanly on SIGINT', async () => {
    const child = spawn(
      process.execPath,
      ['--import', './test/seed/helpers/register-ts.mjs', 'test/serve/serve-child.mjs', 'serve', temp.dir, '--port', '0', '--auth', 'bearer', '--token', 'tok-1'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        stdout += String(d);
        const m = /sandbox at (http:\/\/\S+)/.exec(stdout);
        if (m?.[1] && stdout.includes('Ctrl-C')) resolve(m[1]);
      });
      child.once('exit', () => reject(new Error(`serve exited early: ${stderr}`)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/fhir$/);
    expect(stdout).toContain('Test members:');
    const patientId = /Patient\/(\S+),/.exec(stdout)?.[1];
    expect((await fhir(`${url}/Patient/${patientId}`, { token: 'tok-1' })).status).toBe(200);
    expect((await fhir(`${url}/Patient/${patientId}`)).status).toBe(401);
    child.kill('SIGINT');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
    expect(stdout).toContain('server stopped');
    expect(stderr).toBe('');
  }, 90_000);

  it('should take bearer tokens from $FHIRSEED_SERVE_TOKENS, keeping them off the command line', async () => {
    const child = spawn(
      process.execPath,
      ['--import', './test/seed/helpers/register-ts.mjs', 'test/serve/serve-child.mjs', 'serve', '--port', '0', '--auth', 'bearer'],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FHIRSEED_SERVE_TOKENS: 'env-tok-a, env-tok-b' } },
    );
    let stdout = '';
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (d) => {
        stdout += String(d);
        const m = /sandbox at (http:\/\/\S+)/.exec(stdout);
        if (m?.[1] && stdout.includes('Ctrl-C')) resolve(m[1]);
      });
      child.once('exit', () => reject(new Error('serve exited early')));
    });
    expect((await fhir(`${url}/metadata`, { token: 'env-tok-b' })).status).toBe(200);
    expect((await fhir(`${url}/Patient`, { token: 'env-tok-b' })).status).toBe(200);
    expect((await fhir(`${url}/Patient`, { token: 'tok-1' })).status).toBe(401);
    expect(stdout).not.toContain('env-tok');
    child.kill('SIGINT');
    await once(child, 'exit');
  }, 90_000);
});
