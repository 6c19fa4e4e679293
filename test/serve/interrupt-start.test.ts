// A signal while `serve` starts (the IG packages read on this thread, seconds; a reused store, so no data load) stops it between the start's steps:
// one line saying what was served (nothing), exit 130, and no banner after it (s15 trial A3: the whole banner was
// printed, then the server stopped, up to 30 s later). The built CLI as a child, a real port, real packages.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/serve/index.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';
import { tempDir } from '../helpers/output.js';

const temp = tempDir('fhirseed-interrupt-start-');
afterAll(() => temp.cleanup());

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

describe('serve: a signal during the start', () => {
  it('should stop before serving, with one interrupted line and no banner', async () => {
    mkdirSync(join(temp.dir, 'ndjson'));
    writeFileSync(join(temp.dir, 'ndjson', 'Patient.ndjson'), `${JSON.stringify({ resourceType: 'Patient', id: 'a' })}\n`);
    // A reused store: no data load, whose batches would have seen the signal on the old code too.
    await (await startServer({ port: 0, dir: temp.dir, store: 'sqlite' })).close();
    const port = await freePort();
    const child = spawn(process.execPath, ['dist/src/cli/bin.js', 'serve', temp.dir, '--port', String(port), '--store', 'sqlite', '--packages', SHARED_PACKAGES], {
      cwd: join(import.meta.dirname, '../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    const exited = once(child, 'exit');
    // The port is bound before the slow work (packages, data): the signal comes while the packages are read.
    while (!(await accepts(port))) await new Promise((r) => setTimeout(r, 20));
    expect(stdout).toBe('');
    child.kill('SIGINT');
    const [code] = await exited;
    expect(stdout).not.toContain('Press Ctrl-C');
    expect(stdout).not.toContain('sandbox at');
    expect(stderr).toMatch(/^fhirseed: interrupted before (loading the data; nothing served|serving; the data loaded, nothing served)( \(exit 130\))?\n$/);
    expect(code).toBe(130);
  }, 240_000);
});
