import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { startServer } from '../../src/serve/index.js';
import { UserError } from '../../src/util/errors.js';
import { tempDir } from '../helpers/output.js';
import { describeEmbedded, fhir } from './helpers.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function scratch(): string {
  const t = tempDir('fhirseed-serve-load-');
  cleanups.push(t.cleanup);
  return t.dir;
}

describeEmbedded('serve: preloading a directory', () => {
  it('should load NDJSON, bundles and single resources, and report bad lines and files by name', async () => {
    const dir = scratch();
    mkdirSync(join(dir, 'ndjson'));
    writeFileSync(
      join(dir, 'ndjson', 'Patient.ndjson'),
      [JSON.stringify({ resourceType: 'Patient', id: 'a' }), '{not json', JSON.stringify({ id: 'no-type' }), JSON.stringify({ resourceType: 'Patient', id: 'b' })].join('\n'),
    );
    writeFileSync(join(dir, 'org.json'), JSON.stringify({ resourceType: 'Organization', id: 'o1' }));
    writeFileSync(join(dir, 'notes.json'), JSON.stringify({ hello: 'world' }));
    writeFileSync(
      join(dir, 'tx.json'),
      JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry: [{ resource: { resourceType: 'Coverage', id: 'c1', status: 'active' }, request: { method: 'PUT', url: 'Coverage/c1' } }] }),
    );
    const server = await startServer({ port: 0, dir });
    cleanups.push(() => server.close());
    expect(server.loadedResources).toBe(4);
    expect(server.loadErrors).toHaveLength(3);
    expect(server.loadErrors[0]).toBe("ndjson/Patient.ndjson:2:2: not JSON (Expected property name or '}')");
    expect(server.loadErrors[1]).toMatch(/^ndjson\/Patient\.ndjson:3: not a FHIR resource/);
    expect(server.loadErrors[2]).toMatch(/^notes\.json: not a FHIR resource/);
    for (const path of ['Patient/a', 'Patient/b', 'Organization/o1', 'Coverage/c1']) expect((await fhir(`${server.url}/${path}`)).status).toBe(200);
  });

  // As validate and report place it (V-report 11: serve said `not JSON (Unterminated string in JSON at position 100)`).
  it('should name a data file or NDJSON line that is not JSON by FILE:LINE:COLUMN, at the column of the line as written', async () => {
    const dir = scratch();
    mkdirSync(join(dir, 'bundles'));
    mkdirSync(join(dir, 'ndjson'));
    const bundle = JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry: [{ resource: { resourceType: 'Patient', id: 'cut' }, request: { method: 'PUT', url: 'Patient/cut' } }] }, null, 2);
    writeFileSync(join(dir, 'bundles', 'member-000001.json'), bundle.slice(0, bundle.indexOf('"cut"') + 3));
    writeFileSync(join(dir, 'ndjson', 'Organization.ndjson'), `${JSON.stringify({ resourceType: 'Organization', id: 'o1' })}\n   {"resourceType": "Organization", "id": o2}\n`);
    const server = await startServer({ port: 0, dir });
    cleanups.push(() => server.close());
    // Where the parser stopped: the end of the cut text (validate and report say the same place).
    const cutLines = bundle.slice(0, bundle.indexOf('"cut"') + 3).split('\n');
    expect(server.loadErrors).toEqual([`bundles/member-000001.json:${cutLines.length}:${cutLines.at(-1)!.length + 1}: not JSON (Unterminated string)`]);
    // The NDJSON files are not loaded beside bundles: alone, the bad line is told at its column, blanks counted.
    const ndjsonOnly = scratch();
    mkdirSync(join(ndjsonOnly, 'ndjson'));
    writeFileSync(join(ndjsonOnly, 'ndjson', 'Organization.ndjson'), `${JSON.stringify({ resourceType: 'Organization', id: 'o1' })}\n   {"resourceType": "Organization", "id": o2}\n`);
    const other = await startServer({ port: 0, dir: ndjsonOnly });
    cleanups.push(() => other.close());
    expect(other.loadErrors).toEqual([`ndjson/Organization.ndjson:2:${'   {"resourceType": "Organization", "id": '.length + 1}: not JSON (Unexpected token 'o')`]);
  });

  it('should skip fhirseed\'s own files: manifests, test accounts and the seeder\'s state', async () => {
    const dir = scratch();
    mkdirSync(join(dir, 'seed-state'));
    writeFileSync(join(dir, 'seed-state', 'checkpoint.json'), JSON.stringify({ done: ['bundles/member-000000.json'] }));
    writeFileSync(join(dir, 'seed-state', 'dead-letter.ndjson'), `${JSON.stringify({ resourceType: 'Patient', id: 'failed' })}\n`);
    writeFileSync(join(dir, 'manifest.shard-1-of-2.json'), JSON.stringify({ generator: 'fhirseed' }));
    writeFileSync(join(dir, 'test-accounts.json'), JSON.stringify([]));
    writeFileSync(join(dir, 'org.json'), JSON.stringify({ resourceType: 'Organization', id: 'o1' }));
    const server = await startServer({ port: 0, dir });
    cleanups.push(() => server.close());
    expect(server.loadedResources).toBe(1);
    expect((await fhir(`${server.url}/Patient/failed`)).status).toBe(404);
  });

  it('should refuse a directory it cannot read with one line', async () => {
    await expect(startServer({ port: 0, dir: join(scratch(), 'missing') })).rejects.toThrow(UserError);
    const locked = join(scratch(), 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o000);
    cleanups.push(() => chmodSync(locked, 0o700));
    // root can read anything, so only check the message shape when the read does fail
    await startServer({ port: 0, dir: locked }).then(
      (s) => s.close(),
      (error: Error) => expect(error.message).toMatch(/^cannot read the directory .*locked/),
    );
  });
});

describeEmbedded('serve: CLI', () => {
  it('should report a port in use as a UserError with one line', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
    const port = (blocker.address() as AddressInfo).port;
    let stderr = '';
    const code = await runCli(['serve', '--port', String(port)], { stdout: () => undefined, stderr: (t) => (stderr += t), isTty: false });
    expect(code).toBe(2);
    expect(stderr).toMatch(new RegExp(`^fhirseed: port ${port} is in use \\(on 127\\.0\\.0\\.1[^\\n]*; pick another with --port\\n$`));
  });
});
