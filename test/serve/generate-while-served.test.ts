// `generate` into a directory a live `serve` holds a store in is refused (one line naming the pid and the store,
// exit 2, nothing touched): replacing it would delete the store with what apps wrote (s15 trial C4). A stale lock (its
// process gone) does not block. Child processes on the built CLI (dist/) and a real server; real files.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { swapInOutput } from '../../src/output/target.js';
import { processStamp } from '../../src/util/running.js';
import { tempDir } from '../helpers/output.js';
import { expectOneLineExit2, runBin } from '../seed/helpers/bin.js';
import { fhir, onePatientOutput, runCliChild } from './helpers.js';

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

const output = (prefix: string): string => onePatientOutput(prefix, cleanups);

const escape = (s: string) => s.replace(/[.\\/()]/g, '\\$&');

describe('generate into a served directory', () => {
  it('should refuse while a serve holds its store, keep the store and the app\'s write, and generate once the serve stopped', async () => {
    const dir = output('fhirseed-generate-served-');
    const store = join(dir, 'sandbox-store', 'store.sqlite');
    const serve = await runCliChild(['serve', dir, '--port', '0', '--store', 'sqlite', '--packages', join(dir, 'ndjson')]);
    cleanups.unshift(() => void serve.stop('SIGKILL').catch(() => undefined));
    expect((await fhir(`${serve.url}/Patient/app`, { method: 'PUT', body: { resourceType: 'Patient', id: 'app', gender: 'male' } })).status).toBe(201);
    const pid = readFileSync(`${store}.lock`, 'utf8').trim().split(' ')[0];

    const refused = await runBin(['generate', '--members', '2', '--out', dir]);
    expectOneLineExit2(refused, new RegExp(`--out ${escape(dir)}: being served by fhirseed serve pid ${pid} \\(store ${escape(store)}\\); .*stop that serve first, or give another --out`));
    expect(existsSync(store)).toBe(true);
    expect(readdirSync(join(dir, 'ndjson'))).toEqual(['Patient.ndjson']);
    expect((await fhir(`${serve.url}/Patient/app`)).body.gender).toBe('male');

    expect((await serve.stop('SIGINT')).code).toBe(130);
    const done = await runBin(['generate', '--members', '2', '--out', dir]);
    expect(done.code, done.stderr).toBe(0);
    expect(existsSync(join(dir, 'sandbox-store'))).toBe(false);
    expect(existsSync(join(dir, 'manifest.json'))).toBe(true);
  }, 240_000);

  it('should generate over a stale lock (its process gone)', async () => {
    const dir = output('fhirseed-generate-stale-');
    const gone = spawn(process.execPath, ['-e', '']);
    await once(gone, 'exit');
    mkdirSync(join(dir, 'sandbox-store'));
    writeFileSync(join(dir, 'sandbox-store', 'store.sqlite'), '');
    writeFileSync(join(dir, 'sandbox-store', 'store.sqlite.lock'), `${gone.pid}\n`);
    const done = await runBin(['generate', '--members', '2', '--out', dir]);
    expect(done.code, done.stderr).toBe(0);
    expect(existsSync(join(dir, 'sandbox-store'))).toBe(false);
  }, 120_000);

  it('should not swap a finished run in when a serve took the store meanwhile, touching nothing', async () => {
    const dir = output('fhirseed-generate-late-serve-');
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    cleanups.push(() => holder.kill());
    await once(holder, 'spawn');
    mkdirSync(join(dir, 'sandbox-store'));
    writeFileSync(join(dir, 'sandbox-store', 'store.sqlite'), 'data');
    writeFileSync(join(dir, 'sandbox-store', 'store.sqlite.lock'), `${holder.pid} ${processStamp(holder.pid!)}\n`);
    const staged = tempDir('fhirseed-generate-late-temp-');
    cleanups.push(staged.cleanup);
    const temp = staged.dir;
    writeFileSync(join(temp, 'manifest.json'), '{}');
    expect(() => swapInOutput(temp, dir)).toThrow(`being served by fhirseed serve pid ${holder.pid}`);
    expect(readFileSync(join(dir, 'sandbox-store', 'store.sqlite'), 'utf8')).toBe('data');
    expect(readdirSync(temp)).toEqual(['manifest.json']);
  });
});
