import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { generateTo, shippedProfile, tempDir } from '../helpers/output.js';

// `fhirseed serve DIR | head -3`: the reader closes the pipe while fhirseed still has lines to write. The
// server must keep serving and stop cleanly on Ctrl-C (exit 130), with no EPIPE trace. Here the pipe is
// closed before the child writes anything, so every line it writes meets EPIPE.
const temp = tempDir('fhirseed-epipe-');
afterAll(() => temp.cleanup());

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

it('should keep serving when the reader of its output is gone, and stop on Ctrl-C with exit 130 and no trace', async () => {
  const out = join(temp.dir, 'out');
  generateTo(out, { ...shippedProfile('default'), members: 2 });
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/src/cli/bin.js', 'serve', out, '--port', String(port), '--store', 'memory'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  let exited = false;
  child.once('exit', () => (exited = true));
  let status = 0;
  for (let i = 0; i < 240 && !exited && status !== 200; i++) {
    status = await fetch(`http://127.0.0.1:${port}/fhir/metadata`).then((r) => r.status, () => 0);
    if (status !== 200) await new Promise((r) => setTimeout(r, 250));
  }
  expect(exited, stderr).toBe(false);
  expect(status).toBe(200);
  child.kill('SIGINT');
  const [code] = await once(child, 'exit');
  expect(stderr).not.toMatch(/EPIPE|at .*\.js:\d+/);
  expect(code).toBe(130);
}, 90_000);
