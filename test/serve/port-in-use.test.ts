import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useHeldPort } from '../helpers/held-port.js';
import { tempDir } from '../helpers/output.js';
import { expectOneLineExit2, runBin } from '../seed/helpers/bin.js';

/**
 * A port already in use is told first, in one line (exit 2): before serve loads its directory and
 * before start generates a population. The test holds the port itself.
 */
describe('serve and start: a port already in use', () => {
  const temp = tempDir('fhirseed-port-');
  const heldPort = useHeldPort();
  afterAll(() => temp.cleanup());

  it('should refuse the port before loading: serve of a directory with data names the port and makes no store', async () => {
    const port = heldPort();
    const dir = join(temp.dir, 'data');
    mkdirSync(dir);
    writeFileSync(join(dir, 'Patient.ndjson'), `${JSON.stringify({ resourceType: 'Patient', id: 'a' })}\n`);
    const run = await runBin(['serve', dir, '--port', String(port)]);
    expectOneLineExit2(run, new RegExp(`^fhirseed: port ${port} is in use \\(on 127\\.0\\.0\\.1.*\\); pick another with --port\\n$`));
    expect(run.stdout).toBe('');
    // No store made, and no empty sandbox-store/ left behind by the lock taken before the port.
    expect(readdirSync(dir)).toEqual(['Patient.ndjson']);
  });

  // Both wrong: the directory (what the user typed, checked first, before the port is bound) and the port in one line,
  // so that fixing the first does not meet the second only at the next try (it named only the port before).
  it('should name a missing directory and the port in use in one line', async () => {
    const port = heldPort();
    const missing = join(temp.dir, 'no-such-output');
    const run = await runBin(['serve', missing, '--port', String(port)]);
    expectOneLineExit2(run, new RegExp(`no-such-output: no such directory; and port ${port} is in use \\(on 127\\.0\\.0\\.1.*\\); pick another with --port`));
    expect(run.stdout).toBe('');
  });

  it('should refuse the port before generating: start leaves an empty --out empty', async () => {
    const port = heldPort();
    const out = join(temp.dir, 'start-out');
    mkdirSync(out);
    const run = await runBin(['start', '--out', out, '--port', String(port), '--members', '3']);
    // Nothing generated: the port was checked first.
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
    expectOneLineExit2(run, new RegExp(`port ${port} is in use .*pick another with --port`));
  });
});
