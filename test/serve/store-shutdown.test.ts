// After `serve` stops on Ctrl-C or SIGTERM, only the SQLite store file is left beside it (no -wal, no -shm), and
// what was written before the stop is in it, also after requests that stopped reading the store early (/metadata).
// Child processes on the built CLI (dist/); five starts (~30 s at load 29 for the first three).
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/output.js';
import { fhir, runCliChild } from './helpers.js';

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

/** `fhirseed serve DIR --port 0 --store sqlite` in a child process; an empty --packages: no IG packages to read (seconds) and none downloaded. */
const serve = (dir: string, ...more: string[]) => runCliChild(['serve', dir, '--port', '0', '--store', 'sqlite', '--packages', join(dir, 'ndjson'), ...more]);

describe('serve: the SQLite store after a stop', () => {
  it('should leave only store.sqlite after SIGINT and after SIGTERM, with the writes made before them', async () => {
    const t = tempDir('fhirseed-store-stop-');
    cleanups.push(t.cleanup);
    mkdirSync(join(t.dir, 'ndjson'));
    writeFileSync(join(t.dir, 'ndjson', 'Patient.ndjson'), `${JSON.stringify({ resourceType: 'Patient', id: 'a', gender: 'female' })}\n`);
    const store = join(t.dir, 'sandbox-store');

    // Built, written to, stopped with Ctrl-C.
    const first = await serve(t.dir);
    expect((await fhir(`${first.url}/Patient/b`, { method: 'PUT', body: { resourceType: 'Patient', id: 'b', gender: 'male' } })).status).toBe(201);
    expect(readdirSync(store)).toContain('store.sqlite-wal');
    expect((await first.stop('SIGINT')).code).toBe(130);
    expect(readdirSync(store)).toEqual(['store.sqlite']);

    // Reused with the write, written to again, stopped with SIGTERM.
    const second = await serve(t.dir);
    expect((await fhir(`${second.url}/Patient/b`)).body.gender).toBe('male');
    expect((await fhir(`${second.url}/Patient/c`, { method: 'PUT', body: { resourceType: 'Patient', id: 'c', gender: 'other' } })).status).toBe(201);
    const stopped = await second.stop('SIGTERM');
    expect(stopped.code).toBe(130);
    expect(stopped.stdout).toMatch(/\(2 resources in the reused store,/);
    expect(readdirSync(store)).toEqual(['store.sqlite']);

    // Nothing lost: the third start finds both writes.
    const third = await serve(t.dir);
    expect((await fhir(`${third.url}/Patient/c`)).body.gender).toBe('other');
    await third.stop('SIGINT');
  }, 60_000);

  // s15 trial A2: `/metadata` asks whether the data holds Formulary and PDex resources and stops reading a type at the
  // first one (more than the 100 rows libsql fetches at a time here), which left the store's read open, so the close
  // could not empty the log: -wal and -shm stayed. Built then served, and reused with a read worker.
  it('should leave only store.sqlite after /metadata and a search, built or reused, with a read worker', async () => {
    const t = tempDir('fhirseed-store-stop-meta-');
    cleanups.push(t.cleanup);
    mkdirSync(join(t.dir, 'ndjson'));
    const claiming = (type: string, profile: string, extra: object) =>
      Array.from({ length: 150 }, (_, i) => `${JSON.stringify({ resourceType: type, id: `${type[0]}${i}`, meta: { profile: [profile] }, ...extra })}\n`).join('');
    writeFileSync(join(t.dir, 'ndjson', 'MedicationKnowledge.ndjson'), claiming('MedicationKnowledge', 'http://hl7.org/fhir/us/davinci-drug-formulary/StructureDefinition/usdf-FormularyDrug', { status: 'active' }));
    writeFileSync(join(t.dir, 'ndjson', 'ExplanationOfBenefit.ndjson'), claiming('ExplanationOfBenefit', 'http://hl7.org/fhir/us/davinci-pdex/StructureDefinition/pdex-priorauthorization', { use: 'preauthorization' }));
    const store = join(t.dir, 'sandbox-store');

    const built = await serve(t.dir);
    const metadata = await fhir(`${built.url}/metadata`);
    expect(metadata.status).toBe(200);
    // What the statement says is what made it read those types.
    expect(metadata.body.instantiates).toEqual(expect.arrayContaining([expect.stringContaining('usdf-server'), expect.stringContaining('pdex-server')]));
    expect((await built.stop('SIGINT')).code).toBe(130);
    expect(readdirSync(store)).toEqual(['store.sqlite']);

    const reused = await runCliChild(['serve', t.dir, '--port', '0', '--store', 'sqlite', '--packages', join(t.dir, 'ndjson'), '--read-workers', '1']);
    expect((await fhir(`${reused.url}/metadata`)).status).toBe(200);
    expect((await fhir(`${reused.url}/MedicationKnowledge?_count=2`)).body.total).toBe(150);
    const stopped = await reused.stop('SIGTERM');
    expect(stopped.code).toBe(130);
    expect(stopped.stdout).toMatch(/\(300 resources in the reused store,/);
    expect(readdirSync(store)).toEqual(['store.sqlite']);
  }, 120_000);

  // A second signal during the stop ends the process at once (bin.ts), and that left the store's -wal, -shm and lock
  // beside it: Ctrl-C pressed again (or a SIGTERM after the SIGINT) while the stop waited for the read workers (1.5 s
  // at 53,000 resources, whose two workers start by default). Both signals are made to arrive together: sent to the
  // stopped child, which gets them once it continues; the stop then waits for its read worker to close its connection
  // and end (turns of the event loop), and the second signal comes meanwhile.
  it('should leave only store.sqlite when a second signal cuts the stop short, and say so', async () => {
    const t = tempDir('fhirseed-store-stop-twice-');
    cleanups.push(t.cleanup);
    mkdirSync(join(t.dir, 'ndjson'));
    writeFileSync(join(t.dir, 'ndjson', 'Patient.ndjson'), `${JSON.stringify({ resourceType: 'Patient', id: 'a', gender: 'female' })}\n`);
    const store = join(t.dir, 'sandbox-store');
    const first = await serve(t.dir, '--read-workers', '1');
    expect((await fhir(`${first.url}/Patient/a`)).status).toBe(200);
    expect((await fhir(`${first.url}/Patient/b`, { method: 'PUT', body: { resourceType: 'Patient', id: 'b', gender: 'male' } })).status).toBe(201);
    expect(readdirSync(store).sort()).toEqual(['store.sqlite', 'store.sqlite-shm', 'store.sqlite-wal', 'store.sqlite.lock']);
    process.kill(first.pid, 'SIGSTOP');
    process.kill(first.pid, 'SIGINT');
    process.kill(first.pid, 'SIGTERM');
    process.kill(first.pid, 'SIGCONT');
    const stopped = await first.exited;
    expect(stopped.code).toBe(130);
    expect(readdirSync(store)).toEqual(['store.sqlite']);
    // The last line, after the start's note on the missing IG packages.
    expect(stopped.stderr).toMatch(/\nfhirseed: interrupted again while stopping; server stopped at once \(exit 130\)\n$/);
    // The write is in the file.
    const again = await serve(t.dir);
    expect((await fhir(`${again.url}/Patient/b`)).body.gender).toBe('male');
    await again.stop('SIGINT');
  }, 60_000);
});
