// A damaged page of the SQLite store that the start does not read, read by a request: that request answers 500
// `exception` (the server's fault, not the client's 400 `invalid`), serve's stderr names the store and what to do
// once, and the rest of the store goes on serving (s15 trial D6). A real server (the built CLI) on a real file whose
// history page is overwritten as a bad disk block would be.
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'libsql';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/serve/index.js';
import { pragmaValue } from '../../src/serve/store/open.js';
import { tempDir } from '../helpers/output.js';
import { fhir, runCliChild } from './helpers.js';
import { withoutNotes } from '../helpers/stderr.js';

const temp = tempDir('fhirseed-store-damaged-read-');
afterAll(() => temp.cleanup());

describe('serve: a damaged store page read by a request', () => {
  it('should answer 500 exception for the requests that read it, say so once on stderr, and serve the rest', async () => {
    const dir = temp.dir;
    mkdirSync(join(dir, 'ndjson'));
    writeFileSync(join(dir, 'ndjson', 'Patient.ndjson'), `${JSON.stringify({ resourceType: 'Patient', id: 'a', gender: 'female' })}\n`);
    writeFileSync(join(dir, 'ndjson', 'Observation.ndjson'), `${JSON.stringify({ resourceType: 'Observation', id: 'o', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/a' } })}\n`);
    const built = await startServer({ port: 0, dir, store: 'sqlite' });
    expect((await fhir(`${built.url}/Patient/a`, { method: 'PUT', body: { resourceType: 'Patient', id: 'a', gender: 'male' } })).status).toBe(200);
    await built.close();

    const file = join(dir, 'sandbox-store', 'store.sqlite');
    const db = new Database(file);
    db.prepare('PRAGMA wal_checkpoint(TRUNCATE)').run();
    const pageSize = Number(pragmaValue(db, 'page_size'));
    const root = (db.prepare("SELECT rootpage FROM sqlite_schema WHERE name = 'history'").raw().get() as [number])[0];
    db.close();
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (root - 1) * pageSize);
    closeSync(fd);

    const serve = await runCliChild(['serve', dir, '--port', '0', '--store', 'sqlite', '--packages', join(dir, 'ndjson')]);
    const history = await fhir(`${serve.url}/Patient/a/_history`);
    expect(history.status).toBe(500);
    expect(history.body.issue).toEqual([{ severity: 'error', code: 'exception', details: { text: expect.stringMatching(/^the sandbox store is damaged \(SQLITE_CORRUPT\w*: database disk image is malformed\); the server's fault/) } }]);
    // Said once: a second failed read answers 500 too, without a second line.
    expect((await fhir(`${serve.url}/Patient/a/_history`)).status).toBe(500);
    // The rest answers.
    expect((await fhir(`${serve.url}/Patient/a`)).body.gender).toBe('male');
    expect((await fhir(`${serve.url}/Observation/o`)).status).toBe(200);
    const stopped = await serve.stop('SIGINT');
    const lines = withoutNotes(stopped.stderr).split('\n').filter((l) => l.includes('damaged'));
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^fhirseed: store \\S*store\\.sqlite: damaged \\(SQLITE_CORRUPT\\w*: database disk image is malformed\\); requests that read the damaged pages answer 500: stop the server and serve again with --rebuild-store`)),
    ]);
    expect(lines[0]).toContain(file);
  }, 120_000);
});
