// The start banner's `Try:` lines work as printed in every --auth mode and under --tls-cert (s19 trial V 5): under
// bearer and smart-backend they set $TOKEN (from $FHIRSEED_SERVE_TOKENS, or a client_credentials grant with
// $FHIRSEED_SERVE_CLIENT_SECRET) and send it; under --tls-cert they pass --cacert with the certificate's path. Each
// printed line is run by sh with curl, as a user would paste it, against the built CLI (`npm run build` first).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTo, shippedProfile, tempDir } from '../helpers/output.js';
import { runCliChild } from './helpers.js';

const temp = tempDir('fhirseed-banner-try-');
const out = join(temp.dir, 'out');
const cert = join(temp.dir, 'cert.pem');
const key = join(temp.dir, 'key.pem');

beforeAll(async () => {
  generateTo(out, { ...shippedProfile('default'), members: 2 });
  const pems = await generate([{ name: 'commonName', value: 'fhirseed banner test' }], {
    notAfterDate: new Date(Date.now() + 86_400_000),
    keyType: 'ec',
    curve: 'P-256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  } as Parameters<typeof generate>[1]);
  writeFileSync(cert, pems.cert);
  writeFileSync(key, pems.private);
}, 120_000);
afterAll(() => temp.cleanup());

/** The banner's lines under `Try:` (indented), up to the next unindented line. */
function tryLines(stdout: string): string[] {
  const lines = stdout.split('\n');
  const start = lines.indexOf('Try:');
  expect(start, stdout).toBeGreaterThan(-1);
  const rest = lines.slice(start + 1);
  return rest.slice(0, rest.findIndex((l) => !l.startsWith('  '))).map((l) => l.trim());
}

/** Runs `setup` (a TOKEN= line, or nothing) and then `line` in sh, in the environment the server had; curl's output as JSON. */
function run(setup: string[], line: string, env: NodeJS.ProcessEnv): { resourceType?: string; type?: string } {
  const script = [...setup, line].join('\n');
  const text = execFileSync('sh', ['-c', script], { env: { ...env, PATH: `${dirname(process.execPath)}:${env.PATH ?? ''}` }, encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(text) as { resourceType?: string; type?: string };
}

describe('serve: the banner\'s Try lines work as printed', () => {
  it.each([
    ['--auth none', [] as string[], {}, 0],
    ['--auth bearer', ['--auth', 'bearer'], { FHIRSEED_SERVE_TOKENS: 'first-token,second-token' }, 1],
    ['--auth smart-backend', ['--auth', 'smart-backend', '--registration', 'off'], { FHIRSEED_SERVE_CLIENT_SECRET: 'backend-secret' }, 1],
    ['--auth bearer --tls-cert', ['--auth', 'bearer', '--tls-cert', cert, '--tls-key', key], { FHIRSEED_SERVE_TOKENS: 'tls-token' }, 1],
  ] as const)('%s', async (_name, args, extraEnv, setupLines) => {
    const env = { ...process.env, ...extraEnv };
    const server = await runCliChild(['serve', out, '--port', '0', '--store', 'memory', ...args], env);
    try {
      const lines = tryLines(server.stdout());
      const setup = lines.slice(0, setupLines);
      const queries = lines.slice(setupLines);
      expect(queries).toHaveLength(4);
      if ((args as readonly string[]).includes('--tls-cert')) for (const q of queries) expect(q.startsWith(`curl --cacert ${cert} `), q).toBe(true);
      if (setupLines) {
        expect(setup[0]).toMatch(/^TOKEN=/);
        for (const q of queries) expect(q, q).toContain('-H "Authorization: Bearer $TOKEN"');
      }
      // No member sign-ins where members do not sign in.
      expect(/login \S+ \/ /.test(server.stdout())).toBe(args.length === 0);
      const answers = queries.map((q) => run(setup, q, env));
      expect(answers.map((a) => a.resourceType)).toEqual(['Patient', 'Bundle', 'Bundle', 'Bundle']);
      // Without the token the same query is refused: the lines work because of what they send.
      if (setupLines) expect(run([], queries[0]!.replace(' -H "Authorization: Bearer $TOKEN"', ''), env).resourceType).toBe('OperationOutcome');
    } finally {
      await server.stop();
    }
  }, 240_000);
});
