import { join } from 'node:path';
import { Writable } from 'node:stream';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { progressReporter, QUIET_MS, tenthsReporter } from '../../src/cli/progress.js';
import { runCli, type CliIo } from '../../src/cli/run.js';
import { startServer, type RunningServer } from '../../src/serve/index.js';
import { describeEmbedded } from '../helpers/fhir-server.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';
import { tempDir } from '../helpers/output.js';
import { uniqueRunId } from '../seed/helpers/data.js';
import { writeFixtureOutput } from '../seed/helpers/fixture.js';

/** An io without a terminal that keeps what is written; `quietMs` as the io's progressQuietMs. */
function pipedIo(quietMs?: number): CliIo & { out: string; err: string } {
  const io = { out: '', err: '', isTty: false, progressQuietMs: quietMs, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

/** The percentages of progress lines `LABEL D of T[ UNIT] (P %)`, checking each line's shape and numbers. */
function tenths(stderr: string, label: string, unit: string): number[] {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith(`${label} `))
    .map((line) => {
      const m = new RegExp(`^${label} (\\d+) of (\\d+)${unit ? ` ${unit}` : ''} \\((\\d+) %\\)$`).exec(line);
      expect(m, line).not.toBeNull();
      const [done, total, percent] = [Number(m![1]), Number(m![2]), Number(m![3])];
      expect(done <= total && percent === Math.floor((done * 100) / total), line).toBe(true);
      return percent;
    });
}

describe('progress without a terminal', () => {
  it('should print a line at each tenth reached, none at 100 %, once the quiet start has passed', () => {
    let clock = 1_000;
    const io = pipedIo();
    const p = progressReporter(io, 'resources', { label: 'seed: sent', unit: 'resources', quietMs: 5_000, now: () => clock });
    p.update(0, 200);
    p.update(50, 200);
    clock += 4_999;
    p.update(60, 200);
    expect(io.err).toBe('');
    clock += 1;
    p.update(61, 200);
    p.update(62, 200);
    p.update(80, 200);
    p.update(200, 200);
    p.stop();
    // The first line comes after the quiet start, past the 30 % crossed: it says the share done (30.5 % → 30).
    expect(io.err).toBe('seed: sent 61 of 200 resources (30 %)\nseed: sent 80 of 200 resources (40 %)\n');
    expect(io.out).toBe('');
  });

  it('should give the share done, not the tenth crossed, when the first line comes late (V #9)', () => {
    let clock = 0;
    const io = pipedIo();
    const p = tenthsReporter(io, { label: 'validate: checked', unit: 'resources', quietMs: 30_000, now: () => clock });
    p.update(4000, 49510);
    clock = 30_000;
    p.update(9185, 49510);
    p.update(10102, 49510);
    expect(io.err).toBe('validate: checked 9185 of 49510 resources (18 %)\nvalidate: checked 10102 of 49510 resources (20 %)\n');
  });

  it('should stay silent without a plain label (the bar alone on a terminal)', () => {
    const io = pipedIo(0);
    const p = progressReporter(io, 'resources');
    for (let i = 0; i <= 10; i++) p.update(i, 10);
    expect(io.err).toBe('');
  });

  it(`should wait ${QUIET_MS / 1000} s by default before the first line`, () => {
    let clock = 0;
    const io = pipedIo();
    const p = tenthsReporter(io, { label: 'generate: wrote', unit: 'members', now: () => clock });
    p.update(5, 10);
    clock = QUIET_MS - 1;
    p.update(6, 10);
    expect(io.err).toBe('');
    clock = QUIET_MS;
    p.update(7, 10);
    expect(io.err).toBe('generate: wrote 7 of 10 members (70 %)\n');
  });

  it('should print each tenth at most once, rising, whatever the updates (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 5000 }), fc.array(fc.nat(), { maxLength: 60 }), (total, steps) => {
        const io = pipedIo(0);
        const p = progressReporter(io, 'deleted', { label: 'purge: deleted' });
        let done = 0;
        let highest = 0; // the highest tenth below 100 % any update reached
        for (const step of steps) {
          p.update((done = Math.min(total, done + step)), total);
          const tenth = total > 0 ? Math.floor((done * 10) / total) : 0;
          if (tenth < 10) highest = Math.max(highest, tenth);
        }
        const shown = tenths(io.err, 'purge: deleted', '');
        const shownTenths = shown.map((t) => Math.floor(t / 10));
        expect([...shownTenths].sort((a, b) => a - b)).toEqual(shownTenths);
        expect(new Set(shownTenths).size).toBe(shownTenths.length);
        expect(shown.every((t) => t >= 10 && t <= 99)).toBe(true);
        expect(shownTenths.at(-1) ?? 0).toBe(highest);
      }),
    );
  });
});

describe('generate and validate without a terminal print progress lines', () => {
  const temp = tempDir('fhirseed-progress-plain-');
  const out = join(temp.dir, 'out');
  afterAll(() => temp.cleanup());

  it('should print generate: wrote N of M members (P %) at each tenth', async () => {
    const io = pipedIo(0);
    expect(await runCli(['generate', '--members', '20', '--jobs', '1', '--out', out], io)).toBe(0);
    expect(tenths(io.err, 'generate: wrote', 'members')).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90]);
  }, 120_000);

  it('should print validate: checked N of M resources (P %) as it goes', async () => {
    const io = pipedIo(0);
    expect(await runCli(['validate', join(out, 'ndjson'), '--packages', SHARED_PACKAGES, '--jobs', '1'], io)).toBe(0);
    expect(tenths(io.err, 'validate: checked', 'resources').length).toBeGreaterThan(0);
    expect(io.out).toMatch(/^validated \d+ resources/);
  }, 300_000);

  it('should print nothing more than before within the quiet start (the default)', async () => {
    const io = pipedIo();
    expect(await runCli(['generate', '--members', '3', '--out', join(temp.dir, 'small')], io)).toBe(0);
    expect(io.err).toBe('');
  }, 120_000);
});

describeEmbedded('seed without a terminal prints progress lines', () => {
  const temp = tempDir('fhirseed-progress-seed-');
  const dir = join(temp.dir, 'out');
  let server: RunningServer;
  beforeAll(async () => {
    writeFixtureOutput(dir, { members: 20, runId: uniqueRunId('progress') });
    server = await startServer({ port: 0 });
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    temp.cleanup();
  });

  it('should print seed: sent N of M resources (P %) at the tenths', async () => {
    const io = pipedIo(0);
    expect(await runCli(['seed', dir, '--server', server.url, '--bundle-size', '4', '--concurrency', '1'], io)).toBe(0);
    const shown = tenths(io.err, 'seed: sent', 'resources');
    expect(shown.length).toBeGreaterThanOrEqual(5);
    expect(io.out).toMatch(/verify: counts under the run tag match/);
  }, 120_000);
});

describe('the progress bar on a terminal', () => {
  it('should follow a total that grows (purge: resources of the run that appear while it deletes)', () => {
    let shown = '';
    const terminal = Object.assign(new Writable({ write: (chunk, _enc, done) => ((shown += String(chunk)), done()) }), { isTTY: true, columns: 120 });
    const bar = progressReporter({ ...pipedIo(), isTty: true }, 'resources', undefined, terminal);
    bar.update(5, 10);
    bar.update(9, 12);
    bar.stop();
    expect(shown).toContain('9/12 resources');
  });
});
