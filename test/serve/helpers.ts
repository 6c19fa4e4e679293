import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Bundle, Resource } from '@medplum/fhirtypes';

/** FHIR_BASE_URL, when set: the read/search checks then run against that server (test/helpers/fhir-server.ts). */
export { describeEmbedded, externalBaseUrl, startTestServer, type TestServer } from '../helpers/fhir-server.js';

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export async function fhir<T = any>(url: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<Reply<T>> {
  const headers: Record<string, string> = { accept: 'application/fhir+json' };
  if (init.body !== undefined) headers['content-type'] = 'application/fhir+json';
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  const res = await fetch(url, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as T) : (undefined as T) };
}

/** Every resource of a search, following `next` links to the end; also the pages' match entries in order. */
export async function searchAll(url: string): Promise<{ matches: Resource[]; pages: number; total?: number }> {
  const matches: Resource[] = [];
  let next: string | undefined = url;
  let pages = 0;
  let total: number | undefined;
  while (next) {
    const reply: Reply<Bundle> = await fhir<Bundle>(next);
    if (reply.status !== 200) throw new Error(`${next}: HTTP ${reply.status}`);
    pages++;
    total ??= reply.body.total;
    for (const e of reply.body.entry ?? []) if (e.search?.mode !== 'include' && e.resource) matches.push(e.resource);
    next = reply.body.link?.find((l) => l.relation === 'next')?.url;
    if (pages > 1000) throw new Error('paging does not end');
  }
  return { matches, pages, total };
}

export function key(r: Resource): string {
  return `${r.resourceType}/${r.id}`;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = 'dist/src/cli/bin.js';

/**
 * Runs `fhirseed ARGS` (serve or start) in a child process with the built CLI (`npm run build` first) until it
 * prints the base URL and "Ctrl-C"; `stop` sends SIGINT (or the signal given) and resolves with the exit code and all output,
 * as `exited` does once the child ends.
 */
export async function runCliChild(args: string[], env: NodeJS.ProcessEnv = process.env) {
  if (!existsSync(join(ROOT, BIN))) throw new Error(`${BIN} is missing: run npm run build before these tests`);
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d) => {
      stdout += String(d);
      const m = /sandbox at (https?:\/\/\S+)/.exec(stdout);
      if (m?.[1] && stdout.includes('Ctrl-C')) resolve(m[1]);
    });
    child.once('exit', () => reject(new Error(`${args[0]} exited early: ${stderr}`)));
  });
  const exited = once(child, 'exit').then(([code]) => ({ code: code as number, stdout, stderr }));
  const stop = async (signal: NodeJS.Signals = 'SIGINT') => {
    child.kill(signal);
    return exited;
  };
  // `pid` and `exited`: for signals sent by other means (several at once, process.kill).
  return { url, pid: child.pid!, exited, stdout: () => stdout, stderr: () => stderr, stop };
}

/** A new output folder holding one female Patient `a` in ndjson/Patient.ndjson; its removal is pushed onto `cleanups`. */
// Not through test/helpers/output.ts's tempDir: that module imports the generator, and 49 test files import this one.
export function onePatientOutput(prefix: string, cleanups: (() => void)[]): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'ndjson'));
  writeFileSync(join(dir, 'ndjson', 'Patient.ndjson'), `${JSON.stringify({ resourceType: 'Patient', id: 'a', gender: 'female' })}\n`);
  return dir;
}
