import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { tempDir } from '../helpers/output.js';
import { describeEmbedded, runCliChild } from './helpers.js';

/**
 * `serve --export-ttl` (and `start`): how long a finished Bulk Data export is kept. Over 10 s on a loaded machine: the
 * child-process case starts the built CLI's server (most of the time) and waits for a 2-second expiry to pass.
 */
describe('serve/start: a bad --export-ttl', () => {
  async function cli(args: string[]) {
    let stderr = '';
    const code = await runCli(args, { stdout: () => undefined, stderr: (t) => (stderr += t), isTty: false });
    return { code, stderr };
  }

  it('should be one line, exit 2, and for start before any generating', async () => {
    const temp = tempDir('fhirseed-export-ttl-cli-');
    try {
      expect(await cli(['serve', '--port', '0', '--export-ttl', '0'])).toEqual({ code: 2, stderr: 'fhirseed: --export-ttl 0: expected at least 1 s (a duration such as 300, 90s, 15m, 1h or 30d)\n' });
      const out = join(temp.dir, 'pop');
      const start = await cli(['start', '--out', out, '--members', '5', '--port', '0', '--export-ttl', 'soon']);
      expect(start).toEqual({ code: 2, stderr: 'fhirseed: --export-ttl soon: expected a duration such as 300, 90s, 15m, 1h or 30d\n' });
      expect(existsSync(out)).toBe(false);
    } finally {
      temp.cleanup();
    }
  });
});

describeEmbedded('serve --export-ttl', () => {
  const temp = tempDir('fhirseed-export-ttl-');
  const data = join(temp.dir, 'data');
  const tmp = join(temp.dir, 'tmp');

  beforeAll(() => {
    mkdirSync(data);
    mkdirSync(tmp);
    writeFileSync(join(data, 'patients.ndjson'), ['p1', 'p2'].map((id) => JSON.stringify({ resourceType: 'Patient', id, birthDate: '1980-01-01' })).join('\n'));
  });
  afterAll(() => temp.cleanup());

  it('should give the manifest an Expires that far ahead, then answer 404 and remove the files', async () => {
    // TMPDIR: the child writes its export folders where the test can see them.
    const run = await runCliChild(['serve', data, '--port', '0', '--store', 'memory', '--export-ttl', '2s'], { ...process.env, TMPDIR: tmp });
    try {
      const kickOff = await fetch(`${run.url}/$export?_type=Patient`, { headers: { prefer: 'respond-async' } });
      expect(kickOff.status).toBe(202);
      const status = kickOff.headers.get('content-location')!;
      let poll = await fetch(status);
      for (let i = 0; poll.status === 202 && i < 100; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        poll = await fetch(status);
      }
      expect(poll.status).toBe(200);
      const done = Date.now();
      // Expires is an HTTP date (whole seconds): within the 2 s ttl of the job's end, not the default hour.
      const expires = Date.parse(poll.headers.get('expires')!);
      expect(expires).toBeLessThanOrEqual(done + 2_000);
      expect(expires).toBeGreaterThan(done - 3_000);
      const manifest = (await poll.json()) as { output: { url: string }[] };
      const file = manifest.output[0]!.url;
      expect((await fetch(file)).status).toBe(200);
      expect(readdirSync(tmp).filter((n) => n.startsWith('fhirseed-export-'))).toHaveLength(1);

      await new Promise((resolve) => setTimeout(resolve, Math.max(0, expires + 1_000 - Date.now())));
      const gone = await fetch(status);
      expect(gone.status).toBe(404);
      expect(JSON.stringify(await gone.json())).toMatch(/a finished export is kept 2 s/);
      expect((await fetch(file)).status).toBe(404);
      expect(readdirSync(tmp).filter((n) => n.startsWith('fhirseed-export-'))).toEqual([]);
    } finally {
      await run.stop();
    }
  }, 60_000);
});
