// A bulk $export of the SQLite store gives each resource of a type once while searches of that type run beside it:
// the export's read of the type is paused between its writes (every 500 resources, and while its file drains), and a
// search of the whole type read it meanwhile through the same prepared statement, which restarted the export's rows:
// the export wrote the type again and again for as long as searches came (2,000 Organizations: 20,000 lines after a
// minute). One serve child (the CLI's SQLite store, the write queue that runs the export, its HTTP server) and plain
// fetch clients; 4.6 s at load 6 (30 s at load 13).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/output.js';
import { fhir, runCliChild } from './helpers.js';

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

const N = 2_000;
/** Searches each client sends after the kick-off at most: the export, restarted by each, ended only once they stopped. */
const SEARCHES = 10;

describe('serve: $export of the SQLite store beside searches of the same type', () => {
  it('should export every Organization exactly once while whole-type searches run meanwhile', async () => {
    const t = tempDir('fhirseed-export-concurrent-');
    cleanups.push(t.cleanup);
    mkdirSync(join(t.dir, 'ndjson'));
    const lines = Array.from({ length: N }, (_, i) => `${JSON.stringify({ resourceType: 'Organization', id: `org${i}`, name: `Organization ${i}` })}\n`);
    writeFileSync(join(t.dir, 'ndjson', 'Organization.ndjson'), lines.join(''));
    // An empty --packages: no IG packages read; no read workers, so the searches run on the export's connection.
    const server = await runCliChild(['serve', t.dir, '--port', '0', '--store', 'sqlite', '--packages', join(t.dir, 'ndjson'), '--read-workers', '0']);
    let stopped = false;
    cleanups.push(() => void (stopped || server.stop('SIGKILL')));
    const base = server.url;

    // Two clients searching the whole type (a string filter: no index decides it, every row is read), from before
    // the kick-off until the export is done or each has sent SEARCHES after it.
    let kickedAt = Infinity;
    let done = false;
    const searches: { sent: number; answered: number; total: number }[] = [];
    const clients = [0, 1].map(async () => {
      for (let after = 0; !done && after < SEARCHES; ) {
        const sent = performance.now();
        const reply = await fhir(`${base}/Organization?_count=1&name:contains=Organization`);
        searches.push({ sent, answered: performance.now(), total: reply.body.total });
        if (sent > kickedAt) after++;
      }
    });
    const kickOff = await fetch(`${base}/$export?_type=Organization`, { headers: { prefer: 'respond-async', accept: 'application/fhir+json' } });
    expect(kickOff.status).toBe(202);
    kickedAt = performance.now();
    const status = kickOff.headers.get('content-location')!;
    // When the last poll that found the export running was sent: a search answered before it ran while it ran.
    let runningAt = kickedAt;
    let poll: Response;
    for (const deadline = Date.now() + 90_000; ; ) {
      const sent = performance.now();
      poll = await fetch(status);
      if (poll.status !== 202 || Date.now() > deadline) break;
      runningAt = sent;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    done = true;
    await Promise.all(clients);
    expect(poll.status).toBe(200);
    expect(searches.filter((s) => s.sent > kickedAt && s.answered < runningAt).length, 'searches answered while the export ran').toBeGreaterThan(0);
    expect(new Set(searches.map((s) => s.total))).toEqual(new Set([N]));

    const manifest = (await poll.json()) as { output: { type: string; url: string; count: number }[] };
    const file = await fetch(manifest.output[0]!.url);
    const ids = (await file.text()).split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { id: string }).id);
    expect(ids.length).toBe(N);
    expect(ids).toEqual(Array.from({ length: N }, (_, i) => `org${i}`));
    expect(manifest.output.map((o) => [o.type, o.count])).toEqual([['Organization', N]]);
    stopped = true;
    expect((await server.stop('SIGINT')).code).toBe(130);
  }, 150_000);
});
