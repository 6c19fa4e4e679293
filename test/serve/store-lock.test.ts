// One serve per SQLite store: a second `serve` of a directory another serve has open is refused (one line, exit 2)
// before binding its port, and the first one's writes stay durable; a lock left by a SIGKILLed serve does not block
// the next. Child processes on the built CLI (dist/); real files.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/output.js';
import { expectOneLineExit2 } from '../seed/helpers/bin.js';
import { fhir, onePatientOutput, runCliChild } from './helpers.js';

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

/** `serve DIR` with an empty --packages (no IG packages read or downloaded). */
const args = (dir: string, store = 'sqlite') => ['serve', dir, '--port', '0', '--store', store, '--packages', join(dir, 'ndjson')];

/** `fhirseed ARGS` until it exits; one that starts serving instead is stopped (SIGINT) at its start line. */
async function runUntilServing(cliArgs: string[]) {
  const child = spawn(process.execPath, ['dist/src/cli/bin.js', ...cliArgs], { cwd: join(import.meta.dirname, '../..'), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += String(d);
    if (stdout.includes('Ctrl-C')) child.kill('SIGINT');
  });
  child.stderr.on('data', (d) => (stderr += String(d)));
  const [code] = await once(child, 'exit');
  return { code: code as number | null, stdout, stderr };
}

const output = (prefix: string): string => onePatientOutput(prefix, cleanups);

describe('serve: one serve per store', () => {
  it('should refuse a second serve of the store in use, keep the first serving and its writes, and take over a SIGKILLed serve\'s lock', async () => {
    const dir = output('fhirseed-store-lock-');
    const store = join(dir, 'sandbox-store');
    const first = await runCliChild(args(dir));
    expect((await fhir(`${first.url}/Patient/b`, { method: 'PUT', body: { resourceType: 'Patient', id: 'b', gender: 'male' } })).status).toBe(201);
    // The build's key files (FILE.building-keys-N-M) are removed before the first serve serves: the store is at rest.
    const before = readdirSync(store).sort();
    expect(before.filter((f) => f.includes('.building-keys'))).toEqual([]);

    const second = await runUntilServing(args(dir));
    expectOneLineExit2(second, new RegExp(`store ${join(store, 'store.sqlite').replace(/[.\\/]/g, '\\$&')}: in use by another fhirseed serve \\(pid \\d+\\); stop that one, or serve with --store FILE`));
    expect(second.stdout).toBe('');
    const holder = readFileSync(join(store, 'store.sqlite.lock'), 'utf8').trim().split(' ')[0];
    expect(second.stderr).toContain(`(pid ${holder})`);
    // Nothing touched: the first serve's log and lock are where they were (its pid in the lock, as said).
    expect(readdirSync(store).sort()).toEqual(before);

    // The first still serves, and a write it answers after the refusal is durable through a kill -9.
    expect((await fhir(`${first.url}/Patient/b`)).body.gender).toBe('male');
    expect((await fhir(`${first.url}/Patient/c`, { method: 'PUT', body: { resourceType: 'Patient', id: 'c', gender: 'other' } })).status).toBe(201);
    await first.stop('SIGKILL');
    expect(existsSync(join(store, 'store.sqlite.lock'))).toBe(true);

    // The dead serve's lock is taken over; both writes are there.
    const third = await runCliChild(args(dir));
    expect((await fhir(`${third.url}/Patient/b`)).body.gender).toBe('male');
    expect((await fhir(`${third.url}/Patient/c`)).body.gender).toBe('other');
    expect((await third.stop('SIGINT')).code).toBe(130);
    expect(readdirSync(store)).toEqual(['store.sqlite']);
  }, 240_000);

  it('should serve a --store FILE of its own beside a serve of the directory\'s store', async () => {
    const dir = output('fhirseed-store-lock-own-');
    const first = await runCliChild(args(dir));
    const own = await runCliChild(args(dir, join(dir, 'own.sqlite')));
    expect((await fhir(`${own.url}/Patient/a`)).body.gender).toBe('female');
    expect((await own.stop('SIGINT')).code).toBe(130);
    expect((await first.stop('SIGINT')).code).toBe(130);
  }, 180_000);
});
