import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateTo, shippedProfile, tempDir } from '../helpers/output.js';
import { withoutNotes } from '../helpers/stderr.js';
import { describeEmbedded, fhir, runCliChild } from './helpers.js';

describeEmbedded('serve: the CLI command', () => {
  const temp = tempDir('fhirseed-serve-cli-');
  beforeAll(() => void generateTo(temp.dir, { ...shippedProfile('default'), members: 3 }));
  afterAll(() => temp.cleanup());

  it('should serve DIR, print the base URL and test members, and stop cleanly on SIGINT (exit 130, interrupted)', async () => {
    const run = await runCliChild(['serve', temp.dir, '--port', '0', '--auth', 'bearer', '--token', 'tok-1']);
    const { url } = run;
    const stdout = run.stdout();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/fhir$/);
    expect(stdout).toContain('Test members:');
    const patientId = /Patient\/(\S+),/.exec(stdout)?.[1];
    expect((await fhir(`${url}/Patient/${patientId}`, { token: 'tok-1' })).status).toBe(200);
    expect((await fhir(`${url}/Patient/${patientId}`)).status).toBe(401);
    const stopped = await run.stop();
    expect(stopped.code).toBe(130);
    expect(withoutNotes(stopped.stderr)).toBe('fhirseed: interrupted; server stopped (exit 130)\n');
    expect(stopped.stdout).not.toContain('server stopped');
  }, 90_000);

  it('should take bearer tokens from $FHIRSEED_SERVE_TOKENS, keeping them off the command line', async () => {
    const run = await runCliChild(['serve', '--port', '0', '--auth', 'bearer'], { ...process.env, FHIRSEED_SERVE_TOKENS: 'env-tok-a, env-tok-b' });
    const { url } = run;
    expect((await fhir(`${url}/metadata`, { token: 'env-tok-b' })).status).toBe(200);
    expect((await fhir(`${url}/Patient`, { token: 'env-tok-b' })).status).toBe(200);
    expect((await fhir(`${url}/Patient`, { token: 'tok-1' })).status).toBe(401);
    expect((await run.stop()).stdout).not.toContain('env-tok');
  }, 90_000);
});
