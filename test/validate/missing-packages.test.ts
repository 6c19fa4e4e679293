import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { UserError } from '../../src/util/errors.js';
import { fetchMissingPackages } from '../../src/validate/package-download.js';
import { tempDir } from '../helpers/output.js';
import { withoutPackagesVariable } from '../helpers/packages.js';
import { runCliChild } from '../serve/helpers.js';

const temp = tempDir('fhirseed-missing-packages-');
afterAll(() => temp.cleanup());

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A new empty HOME (so ~/.fhir/packages is empty) with one Patient to validate. */
function emptyHome(name: string): { home: string; data: string } {
  const home = join(temp.dir, name);
  mkdirSync(home, { recursive: true });
  const data = join(home, 'patient.json');
  writeFileSync(data, JSON.stringify({ resourceType: 'Patient', id: 'p1' }));
  return { home, data };
}

/** Runs the CLI in this process with the environment changed as given (undefined removes a variable). */
async function runWithEnv(args: string[], env: Record<string, string | undefined>) {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  let stdout = '';
  let stderr = '';
  try {
    const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTty: false });
    return { code, stdout, stderr };
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** The no-packages environment of a new user: empty HOME, no $FHIRSEED_PACKAGES, downloads allowed, the registry unreachable. */
function newUserEnv(home: string, registry: string): Record<string, string | undefined> {
  return { HOME: home, FHIRSEED_PACKAGES: undefined, FHIRSEED_OFFLINE: undefined, FHIRSEED_PACKAGE_REGISTRY: registry };
}

function expectPackagesMessage(text: string, home: string, registry: string): void {
  const [first, hint, ...rest] = text.trimEnd().split('\n');
  expect(first).toContain('hl7.fhir.us.carin-bb#2.0.0');
  expect(first).toContain(`Looked in ${join(home, '.fhir', 'packages')}`);
  expect(first).toContain(`download from ${registry}`);
  expect(first).toContain('connection refused (ECONNREFUSED)');
  expect(first).not.toMatch(/fetch failed/);
  expect(hint).toMatch(/^ {2}Provide the IG packages .*--packages DIR.*FHIRSEED_PACKAGES=DIR.*~\/\.fhir\/packages/);
  expect(rest.filter((l) => !l.startsWith('fhirseed: note:') && l.trim())).toEqual([]);
}

describe('validate without the IG packages', () => {
  it('should say where it looked, which registry URL failed and why, and the three ways to provide them; exit 2', async () => {
    const { home, data } = emptyHome('validate');
    const registry = `http://127.0.0.1:${await closedPort()}`;
    const r = await runWithEnv(['validate', data], newUserEnv(home, registry));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^fhirseed: FHIR packages hl7\.fhir\.us\.carin-bb#2\.0\.0, hl7\.fhir\.us\.core#6\.1\.0 not found\. /);
    expectPackagesMessage(r.stderr, home, registry);
  });

  it('should say why nothing was downloaded when --packages names a directory without them', async () => {
    const { home, data } = emptyHome('named-dir');
    const dir = join(home, 'my-packages');
    mkdirSync(dir); // one that does not exist is named in a note first (test/cli/packages-option.test.ts)
    const r = await runWithEnv(['validate', data, '--packages', dir, '--ig', 'us-core@3.1.1'], newUserEnv(home, 'http://127.0.0.1:1'));
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(
      `fhirseed: FHIR package hl7.fhir.us.core#3.1.1 not found. Looked in ${dir}, ${join(home, '.fhir', 'packages')}; not downloaded, as --packages is given`,
    );
  });

  it('should fail `serve --validate` the same way, before it listens', async () => {
    const { home } = emptyHome('serve-validate');
    const registry = `http://127.0.0.1:${await closedPort()}`;
    const r = await runWithEnv(['serve', '--validate', '--port', '0'], newUserEnv(home, registry));
    expect(r.code).toBe(2);
    expectPackagesMessage(r.stderr.replace(/^fhirseed: /, ''), home, registry);
  });
});

describe('start (npm start) without the IG packages', () => {
  it('should serve anyway and print the same message as a note: where it looked, the URL, why, how to provide them', async () => {
    const { home } = emptyHome('start');
    const registry = `http://127.0.0.1:${await closedPort()}`;
    const env = { ...process.env, ...newUserEnv(home, registry) };
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
    const run = await runCliChild(['start', '--out', join(home, 'output'), '--members', '1', '--port', '0'], env);
    // The exit code is start.test.ts's business (and races with the signal handler under load); here, the note.
    const stopped = await run.stop();
    // A diagnostic, so on stderr (stdout is the banner a script may read); one message for every IG the server uses
    // (profiles and payer search parameters), in two lines.
    expect(stopped.stdout).not.toContain('fhirseed: note:');
    const note = stopped.stderr.slice(stopped.stderr.indexOf('fhirseed: note:'));
    expect(note).toMatch(
      /^fhirseed: note: served without some IG profiles and search parameters: FHIR packages hl7\.fhir\.us\.carin-bb#2\.0\.0, hl7\.fhir\.us\.core#6\.1\.0, hl7\.fhir\.us\.davinci-pdex-plan-net#1\.1\.0, hl7\.fhir\.us\.davinci-drug-formulary#2\.0\.1, hl7\.fhir\.us\.davinci-pdex#2\.0\.0 not found\. /,
    );
    expect(note.split('\n')[1]).toMatch(/ \(see README, "Set-up"\)$/);
    expectPackagesMessage(note.split('\n').slice(0, 2).join('\n'), home, registry);
  }, 120_000);
});

describe('an unreachable registry', () => {
  let stopped: ChildProcess | undefined;
  const fillers: Socket[] = [];
  let restorePackagesVariable: () => void;
  beforeAll(() => {
    restorePackagesVariable = withoutPackagesVariable();
  });
  afterAll(() => {
    restorePackagesVariable();
    for (const s of fillers) s.destroy();
    stopped?.kill('SIGKILL');
  });

  /**
   * A port that accepts no connection: a listener with a backlog of 1 in a stopped process, its queue
   * filled, so a new SYN goes unanswered as on a network that drops packets.
   */
  async function blackHole(): Promise<number> {
    // The child stops itself right after writing its port (synchronously), so it never accepts a connection.
    const script = "require('net').createServer().listen({ port: 0, host: '127.0.0.1', backlog: 1 }, function () { require('fs').writeSync(1, this.address().port + '\\n'); process.kill(process.pid, 'SIGSTOP') })";
    const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    stopped = child;
    const [line] = (await once(child.stdout!, 'data')) as [Buffer];
    const port = Number(String(line).trim());
    for (let i = 0; i < 4; i++) {
      const s = connect(port, '127.0.0.1');
      s.on('error', () => undefined);
      fillers.push(s);
    }
    return port;
  }

  it('should give up connecting after the connect timeout, say so, and try no further package', async () => {
    const port = await blackHole();
    const cache = join(temp.dir, 'blackhole-cache');
    const attempt = fetchMissingPackages(['carin-bb@2.0.0', 'us-core@6.1.0'], undefined, {
      registry: `http://127.0.0.1:${port}`, cacheDir: cache, offline: false, connectTimeoutMs: 300,
    });
    await expect(attempt).rejects.toThrow(UserError);
    const message = await attempt.then(() => '', (e: Error) => e.message);
    expect(message.split('\n')[0]).toBe(
      `FHIR packages hl7.fhir.us.carin-bb#2.0.0, hl7.fhir.us.core#6.1.0 not found. Looked in ${cache}; download from http://127.0.0.1:${port} failed: no connection within 0.3 s (no network?)`,
    );
  });

  it('should give up on a registry that accepts the connection but never answers', async () => {
    const requests: string[] = [];
    const silent = createHttpServer((req) => requests.push(req.url ?? ''));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const registry = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const attempt = fetchMissingPackages(['carin-bb@2.0.0', 'us-core@6.1.0'], undefined, {
        registry, cacheDir: join(temp.dir, 'silent-cache'), offline: false, responseTimeoutMs: 300,
      });
      await expect(attempt).rejects.toThrow(/download from .+ failed: the registry stopped answering\n/);
      // Once the registry has not answered, the second package is not tried.
      expect(requests).toEqual(['/hl7.fhir.us.carin-bb/2.0.0']);
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});
