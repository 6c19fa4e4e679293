import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireAt, MAX_TIMER_MS, type Timers } from '../../src/serve/export-expiry.js';
import { startServer } from '../../src/serve/index.js';
import { tempDir } from '../helpers/output.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';
import { describeEmbedded } from './helpers.js';

/** A manual clock and timers: `advance` moves the clock and fires the timers that come due, in order. */
function manualTimers(start: number) {
  let clock = start;
  let next = 0;
  const pending = new Map<number, { at: number; fire: () => void }>();
  const delays: number[] = [];
  const timers: Timers = {
    setTimeout: (fire, ms) => {
      delays.push(ms);
      const id = next++;
      pending.set(id, { at: clock + ms, fire });
      return { id } as never;
    },
    clearTimeout: (timer) => void pending.delete((timer as unknown as { id: number }).id),
  };
  const advance = (ms: number) => {
    const until = clock + ms;
    for (;;) {
      const due = [...pending].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      pending.delete(due[0]);
      clock = due[1].at;
      due[1].fire();
    }
    clock = until;
  };
  return { timers, now: () => clock, advance, delays, pending };
}

describe('expireAt', () => {
  const DAY = 86_400_000;

  it('should fire a ttl past setTimeout\'s limit at its time, never asking for a longer delay than the limit', () => {
    const t = manualTimers(1_000);
    let fired = 0;
    expireAt(1_000 + 30 * DAY, t.now, () => fired++, t.timers);
    t.advance(MAX_TIMER_MS);
    expect(fired).toBe(0);
    t.advance(30 * DAY - MAX_TIMER_MS - 1);
    expect(fired).toBe(0);
    t.advance(1);
    expect(fired).toBe(1);
    expect(t.delays.length).toBeGreaterThan(1);
    expect(Math.max(...t.delays)).toBeLessThanOrEqual(MAX_TIMER_MS);
    t.advance(60 * DAY);
    expect(fired).toBe(1);
  });

  it('should fire a short ttl once at its time, at once when already past, and not at all once cancelled', () => {
    const t = manualTimers(0);
    const fired: string[] = [];
    expireAt(500, t.now, () => fired.push('short'), t.timers);
    expireAt(-1, t.now, () => fired.push('past'), t.timers);
    expect(fired).toEqual(['past']);
    const cancel = expireAt(40 * DAY, t.now, () => fired.push('cancelled'), t.timers);
    t.advance(499);
    expect(fired).toEqual(['past']);
    t.advance(1);
    expect(fired).toEqual(['past', 'short']);
    t.advance(MAX_TIMER_MS + 1);
    cancel();
    t.advance(40 * DAY);
    expect(fired).toEqual(['past', 'short']);
    expect(t.pending.size).toBe(0);
  });
});

describeEmbedded('serve $export: a finished export expires without any request', () => {
  const temp = tempDir('fhirseed-export-expiry-');
  const data = join(temp.dir, 'data');
  const tmp = join(temp.dir, 'tmp');
  let server: Awaited<ReturnType<typeof startServer>>;
  const tmpdirBefore = process.env.TMPDIR;

  beforeAll(async () => {
    mkdirSync(data);
    mkdirSync(tmp);
    writeFileSync(join(data, 'patients.ndjson'), ['p1', 'p2'].map((id) => JSON.stringify({ resourceType: 'Patient', id, birthDate: '1980-01-01' })).join('\n'));
    server = await startServer({ port: 0, dir: data, store: 'memory', packagesDir: SHARED_PACKAGES, bulkExport: { expirySeconds: 0.3 } });
    // The export folders go under os.tmpdir(), which reads TMPDIR on each call: here, where the test sees them.
    process.env.TMPDIR = tmp;
  }, 60_000);

  afterAll(async () => {
    if (tmpdirBefore === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = tmpdirBefore;
    await server.close();
    temp.cleanup();
  });

  it('should remove the files at expiry with no request in between, then answer 404', async () => {
    const kickOff = await fetch(`${server.url}/$export?_type=Patient`, { headers: { prefer: 'respond-async' } });
    expect(kickOff.status).toBe(202);
    const status = kickOff.headers.get('content-location')!;
    let poll = await fetch(status);
    while (poll.status === 202) poll = await fetch(status);
    expect(poll.status).toBe(200);
    const [folder] = readdirSync(tmp).filter((n) => n.startsWith('fhirseed-export-'));
    expect(readdirSync(join(tmp, folder!))).toEqual(['Patient.ndjson']);
    // No request from here: only the expiry timer can remove the folder (the sweep runs on export requests).
    while (existsSync(join(tmp, folder!))) await new Promise((resolve) => setTimeout(resolve, 25));
    expect(readdirSync(tmp)).toEqual([]);
    expect((await fetch(status)).status).toBe(404);
  }, 30_000);
});
