import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { formatEta } from '../../src/cli/progress.js';
import { runCli } from '../../src/cli/run.js';
import { BYTES_PER_MEMBER, formatBytes } from '../../src/output/estimate.js';
import { tempDir } from '../helpers/output.js';

const temps: (() => void)[] = [];
afterAll(() => temps.forEach((c) => c()));
function dir(): string {
  const t = tempDir('fhirseed-options-');
  temps.push(t.cleanup);
  return t.dir;
}

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTty: false });
  return { code, stdout, stderr };
}

/** Exit 2, exactly one line on stderr matching `message`, and nothing written to `out`. */
async function refused(args: string[], message: RegExp | string, out = join(dir(), 'out')) {
  const r = await run([...args, '--out', out]);
  expect(r.code, args.join(' ')).toBe(2);
  if (typeof message === 'string') expect(r.stderr, args.join(' ')).toBe(`fhirseed: ${message}\n`);
  else expect(r.stderr, args.join(' ')).toMatch(message);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(existsSync(out), args.join(' ')).toBe(false);
}

describe('generate options are checked before any work, and echoed as typed', () => {
  it('should name bad numbers as the user typed them', async () => {
    await refused(['generate', '--members', 'abc'], '--members abc: expected a whole number ≥ 1');
    await refused(['generate', '--members', ''], "--members '': expected a whole number ≥ 1");
    await refused(['generate', '--members', '2.5'], '--members 2.5: expected a whole number ≥ 1');
    await refused(['generate', '--members', '0'], '--members 0: expected a whole number ≥ 1');
    await refused(['generate', '--seed', 'x1'], '--seed x1: expected a whole number');
    await refused(['generate', '--max-bundle-entries', 'many'], '--max-bundle-entries many: expected a whole number ≥ 1');
  });

  it('should refuse a run id that is not a safe token, naming the value, in generate and purge', async () => {
    for (const id of ['bad id|with pipe', '', 'a,b', 'cost$', 'back\\slash', ' lead', '.dot', 'x'.repeat(65)]) {
      await refused(['generate', '--members', '1', '--run-id', id], `--run-id ${JSON.stringify(id)}: expected 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit (it is searched for as a FHIR token)`);
    }
    const purge = await run(['purge', '--server', 'http://127.0.0.1:9/fhir', '--run', 'bad id|x']);
    expect(purge.code).toBe(2);
    expect(purge.stderr).toBe(`fhirseed: --run "bad id|x": expected 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit (it is searched for as a FHIR token)\n`);
  });

  it('should refuse a --now that is not a calendar date or is before the profile period start', async () => {
    await refused(['generate', '--members', '1', '--now', '2025-02-30'], '--now 2025-02-30: not a calendar date');
    await refused(['generate', '--members', '1', '--now', '2024-12-31'], '--now 2024-12-31: before the profile period start 2025-01-01');
    await refused(['generate', '--members', '1', '--now', 'soon'], '--now soon: expected a date YYYY-MM-DD');
  });

  it('should note (not refuse) a --now after today: the data is then dated in the future', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const later = `${Number(today.slice(0, 4)) + 3}-01-01`;
    const ahead = await run(['generate', '--members', '1', '--now', later, '--out', join(dir(), 'out')]);
    expect(ahead.code, ahead.stderr).toBe(0);
    expect(ahead.stderr).toBe(`fhirseed: --now ${later} is after today (${today}): the data is dated in the future (meta.lastUpdated, Provenance.recorded, claims paid by then)\n`);
    const past = await run(['generate', '--members', '1', '--now', '2025-06-30', '--out', join(dir(), 'out')]);
    expect({ code: past.code, stderr: past.stderr }).toEqual({ code: 0, stderr: '' });
  });

  it('should refuse an --archive not named .tar.gz/.tgz or inside --out', async () => {
    const base = dir();
    await refused(['generate', '--members', '1', '--archive', join(base, 'x.zip')], `--archive ${join(base, 'x.zip')}: the archive is a gzipped tar; name it …tar.gz or …tgz`);
    const out = join(base, 'out');
    await refused(['generate', '--members', '1', '--archive', join(out, 'a.tgz')], `--archive ${join(out, 'a.tgz')}: inside --out ${out}; put the archive outside the output directory`, out);
    expect(readdirSync(base)).toEqual([]);
  });

  it('should refuse an --out that is a file or under a file, in one line', async () => {
    const base = dir();
    const file = join(base, 'f.txt');
    writeFileSync(file, 'x');
    const r = await run(['generate', '--members', '1', '--out', file]);
    expect([r.code, r.stderr]).toEqual([2, `fhirseed: --out ${file}: is a file, not a directory\n`]);
    await refused(['generate', '--members', '1'], `--out ${join(file, 'o')}: ${file} is a file, not a directory`, join(file, 'o'));
  });

  it('should refuse a population estimated above 5 GB unless --yes, saying the estimate', async () => {
    const perMember = BYTES_PER_MEMBER.bundles + BYTES_PER_MEMBER.ndjson;
    const members = Math.ceil(5e9 / perMember) + 1;
    const each = formatBytes(perMember).replace('.', '\\.');
    await refused(['generate', '--members', String(members)], new RegExp(`^fhirseed: the output of \\d+ members would take about 5\\.0 GB \\(~${each} a member\\), more than 5 GB; give --yes to go ahead\n$`));
    const all = formatBytes(1e9 * perMember).replace('.', '\\.');
    await refused(['generate', '--members', '1e9'], new RegExp(`^fhirseed: the output of 1000000000 members would take about ${all} \\(~${each} a member\\), more than the .* free on .*; give --yes to go ahead anyway\n$`));
  });

  it('should go ahead with --yes (interrupted here once it has started)', async () => {
    const base = dir();
    const out = join(base, 'out');
    const running = run(['generate', '--members', '7000', '--yes', '--out', out]);
    const member = join(base, `.out.fhirseed-tmp-${process.pid}`, 'bundles', 'member-000001.json');
    while (!existsSync(member)) await new Promise((r) => setTimeout(r, 20));
    process.emit('SIGTERM');
    const r = await running;
    expect(r.code).toBe(130);
    expect(r.stderr).toBe(`fhirseed: interrupted; nothing of this run was kept, ${out} is as it was\n`);
    expect(readdirSync(base)).toEqual([]);
  }, 60_000);

  it('should echo a bad --port as typed', async () => {
    for (const port of ['abc', '', '70000', '-1']) {
      const r = await run(['serve', '--port', port]);
      expect([r.code, r.stderr]).toEqual([2, `fhirseed: --port ${port === '' ? "''" : port}: expected a whole number 0–65535\n`]);
    }
  });
});

describe('start takes every generate option', () => {
  async function optionsOf(args: string[]): Promise<string[]> {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await run([...args, '--help']);
      const text = log.mock.calls.map((c) => c.join(' ')).join('\n');
      return [...text.matchAll(/^\s+(?:-\w, )?--([\w-]+)/gm)].map((m) => m[1]!);
    } finally {
      log.mockRestore();
    }
  }

  it("should describe serve in fhirseed --help by its default store, SQLite, not as in-memory (V #13)", async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await run(['--help']);
      const text = log.mock.calls.map((c) => c.join(' ')).join('\n').replace(/\s+/g, ' ');
      const line = /fhirseed serve \[dir\](.*?)fhirseed start /.exec(text)?.[1] ?? ''; // its description, however wrapped
      expect(line).toMatch(/SQLite/);
      expect(line).not.toMatch(/in-memory/);
    } finally {
      log.mockRestore();
    }
  });

  it('should list in start --help every option of generate and of serve', async () => {
    const start = await optionsOf(['start']);
    const generate = await optionsOf(['generate']);
    const serve = await optionsOf(['serve']);
    expect(generate).toEqual(expect.arrayContaining(['members', 'seed', 'shard', 'format', 'run-id', 'now', 'us-core', 'archive', 'max-bundle-entries', 'yes']));
    expect(new Set(start)).toEqual(new Set([...generate, ...serve]));
  });

  it('should refuse to start on a directory holding files fhirseed did not write, keeping them', async () => {
    const out = dir();
    writeFileSync(join(out, 'notes.txt'), 'mine');
    mkdirSync(join(out, 'bundles'));
    const r = await run(['start', '--out', out, '--port', '0']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`fhirseed: ${out} holds files fhirseed did not write (notes.txt); give an empty or fhirseed --out directory (or serve it with fhirseed serve)\n`);
    expect(readdirSync(out).sort()).toEqual(['bundles', 'notes.txt']);
  });
});

describe('progress ETA', () => {
  it('should never show NaN or Infinity, and "…" until something is done', () => {
    expect(formatEta(0, 100, 0)).toBe('…');
    expect(formatEta(0, 100, 5)).toBe('…');
    expect(formatEta(10, 100, 0)).toBe('…');
    expect(formatEta(50, 100, 30)).toBe('30s');
    expect(formatEta(10, 100, 60)).toBe('9m00s');
    expect(formatEta(1, 1000, 60)).toBe('16h39m');
    expect(formatEta(1, 1e9, 60)).toBe('>99h');
    fc.assert(
      fc.property(fc.double(), fc.double(), fc.double(), (done, total, seconds) => {
        expect(formatEta(done, total, seconds)).toMatch(/^(…|>99h|\d+s|\d+m\d\ds|\d{1,2}h\d\dm)$/);
      }),
    );
  });
});
