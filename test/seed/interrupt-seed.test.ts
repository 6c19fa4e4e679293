import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from 'vitest';
import { uniqueRunId } from './helpers/data.js';
import { writeFixtureOutput } from './helpers/fixture.js';
import { tempDir } from './helpers/temp.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const temp = tempDir('fhirseed-interrupt-seed-');
afterAll(() => temp.remove());

it('should let seed finish the requests in flight on Ctrl-C (not exit at once), then exit 130', async () => {
  const dir = join(temp.dir, 'out');
  writeFixtureOutput(dir, { members: 3, runId: uniqueRunId('interrupt-seed') });
  const held: Array<() => void> = [];
  let heldNotify: (() => void) | undefined;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (d) => (body += String(d)));
    req.on('end', () => {
      const answer = () => {
        res.writeHead(200, { 'content-type': 'application/fhir+json' });
        if ((req.url ?? '').includes('metadata')) {
          res.end(JSON.stringify({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1', status: 'active', kind: 'instance', format: ['json'], rest: [{ mode: 'server', resource: [] }] }));
          return;
        }
        const bundle = body ? (JSON.parse(body) as { entry?: unknown[] }) : { entry: [] };
        res.end(JSON.stringify({ resourceType: 'Bundle', type: 'transaction-response', entry: (bundle.entry ?? []).map(() => ({ response: { status: '201 Created' } })) }));
      };
      if (req.method === 'POST') {
        held.push(answer);
        heldNotify?.();
      } else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fhir`;
  const child = spawn(process.execPath, ['dist/src/cli/bin.js', 'seed', dir, '--server', url, '--concurrency', '1'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  child.stdout.resume();
  const exited = once(child, 'exit');
  // A request in flight: the server holds it.
  if (!held.length) await new Promise<void>((resolve) => (heldNotify = resolve));
  child.kill('SIGINT');
  while (!stderr.includes('stopping after the requests in flight') && child.exitCode === null) await new Promise((r) => setTimeout(r, 20));
  expect(child.exitCode, stderr).toBeNull();
  for (const answer of held.splice(0)) answer();
  heldNotify = () => held.splice(0).forEach((a) => a());
  const [code] = await exited;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  expect(code, stderr).toBe(130);
  expect(stderr).toContain('fhirseed: stopping after the requests in flight');
  // stderr is a pipe here: no progress bar line is open, so no blank line before it (s16 fresh-eyes trial V).
  expect(stderr).not.toMatch(/(^|\n)\nfhirseed: stopping/);
}, 60_000);
