import { mkdirSync, openSync, readFileSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'libsql';
import { afterAll, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { startServer } from '../../src/serve/index.js';
import { pragmaValue } from '../../src/serve/store/open.js';
import { tempDir } from '../helpers/output.js';
import { describeEmbedded } from './helpers.js';

const temp = tempDir('fhirseed-store-damaged-');
afterAll(() => temp.cleanup());

describeEmbedded('serve: a damaged SQLite store', () => {
  it('should refuse a store whose header and meta table read but whose data pages are damaged: one line, exit 2, the file left as it was', async () => {
    const dir = temp.dir;
    mkdirSync(join(dir, 'ndjson'));
    writeFileSync(join(dir, 'ndjson', 'Patient.ndjson'), ['a', 'b'].map((id) => JSON.stringify({ resourceType: 'Patient', id })).join('\n') + '\n');
    const built = await startServer({ port: 0, dir, store: 'sqlite' });
    await built.close();

    // Everything into the main file, then the resources table's root page overwritten, as a bad disk block would be.
    const file = join(dir, 'sandbox-store', 'store.sqlite');
    const db = new Database(file);
    db.prepare('PRAGMA wal_checkpoint(TRUNCATE)').run();
    const pageSize = Number(pragmaValue(db, 'page_size'));
    const root = (db.prepare("SELECT rootpage FROM sqlite_schema WHERE name = 'resources'").raw().get() as [number])[0];
    db.close();
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (root - 1) * pageSize);
    closeSync(fd);
    const damaged = readFileSync(file);

    let stdout = '';
    let stderr = '';
    const code = await runCli(['serve', dir, '--port', '0'], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTty: false });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`fhirseed: store ${file}: damaged (database disk image is malformed); move it away or serve with --rebuild-store\n`);
    expect(readFileSync(file).equals(damaged)).toBe(true);
  }, 60_000);
});
