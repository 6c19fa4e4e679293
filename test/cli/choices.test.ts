import { tmpdir } from 'node:os';
import { join } from 'node:path';
import yargs from 'yargs';
import { describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/commands/index.js';
import { refuseBadBooleans, refuseBareValues, type ValueOptions } from '../../src/cli/choices.js';
import { runCli } from '../../src/cli/run.js';

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTty: false });
  return { code, stdout, stderr };
}

/** Every command's choice options, read from its yargs definition: a new one is covered without a change here. */
function choiceOptions(): { command: string; args: string[]; option: string; choices: string[] }[] {
  const found = [];
  for (const module of commands) {
    const parser = yargs([]);
    (module.builder as (y: typeof parser) => unknown)(parser);
    const choices = (parser as unknown as { getOptions(): { choices: Record<string, unknown[]> } }).getOptions().choices;
    const name = String(module.command).split(' ')[0]!;
    // Required positionals (`seed <dir>`) get a value; nothing is reached: the choice is refused first.
    const positionals = (String(module.command).match(/<[^>]+>/g) ?? []).map(() => 'nowhere');
    for (const [option, values] of Object.entries(choices)) found.push({ command: name, args: [name, ...positionals], option, choices: values.map(String) });
  }
  return found;
}

describe('a value outside an option\'s choices is one line in fhirseed\'s words, for every command', () => {
  const options = choiceOptions();

  it('should find the choice options of the commands (seed --mode, generate --us-core, serve --auth, kits --kit among them)', () => {
    const names = options.map((o) => `${o.command} --${o.option}`);
    expect(names).toEqual(expect.arrayContaining(['seed --mode', 'generate --us-core', 'serve --auth', 'start --registration', 'kits --kit', 'ping --alg']));
  });

  it('should refuse a bad value naming the option, the value as typed and the choices, exit 2', async () => {
    for (const { args, option, choices } of options) {
      const r = await run([...args, `--${option}`, 'bogus']);
      const line = args.concat(`--${option}`, 'bogus').join(' ');
      expect(r.code, line).toBe(2);
      expect(r.stderr, line).toBe(`fhirseed: --${option}: "bogus" is not one of ${choices.join(', ')}\n`);
    }
  });

  it('should show the value as typed, not as yargs read it, and say when no value was given', async () => {
    const typed = await run(['generate', '--us-core', '6.10']);
    expect(typed.code).toBe(2);
    expect(typed.stderr).toBe('fhirseed: --us-core: "6.10" is not one of 6.1.0, 3.1.1\n');
    // --mode has a default, which yargs would take for a bare --mode.
    const bare = await run(['seed', 'nowhere', '--mode', '--server', 'http://127.0.0.1:9/fhir']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toBe('fhirseed: --mode: no value given; expected one of transaction, batch, upsert, import\n');
    const bareLast = await run(['generate', '--us-core']);
    expect(bareLast.stderr).toBe('fhirseed: --us-core: no value given; expected one of 6.1.0, 3.1.1\n');
    const repeated = await run(['kits', '--kit', 'carin-bb', '--kit', 'nope']);
    expect(repeated.code).toBe(2);
    expect(repeated.stderr).toMatch(/^fhirseed: --kit: "nope" is not one of /);
  });

  it('should refuse an option that takes a value given without one, rather than take its default (every command)', async () => {
    // Every string and number option of every command, from its yargs definition, through the check runCli runs.
    let checked = 0;
    for (const module of commands) {
      const parser = yargs([]);
      (module.builder as (y: typeof parser) => unknown)(parser);
      const options = (parser as unknown as { getOptions(): ValueOptions & { key: Record<string, unknown> } }).getOptions();
      const name = String(module.command).split(' ')[0]!;
      for (const option of [...options.string, ...options.number]) {
        // Positionals are strings too, and hidden options (seed's secret flags) have their own message.
        if (!(option in options.key) || options.hiddenOptions?.includes(option) || String(module.command).includes(`<${option}`)) continue;
        const flag = option.length === 1 ? `-${option}` : `--${option}`;
        for (const args of [[name, flag], [name, flag, '--verbose']]) {
          expect(() => refuseBareValues(options, args), args.join(' ')).toThrow(new RegExp(`^${flag}: no value given(; expected one of .+)?$`));
        }
        expect(() => refuseBareValues(options, [name, flag, '-1']), `${flag} -1`).not.toThrow();
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(50);
    // And on the command line. The --help form first: were the check missing, it prints help instead of running
    // generate on the default --out (./output).
    for (const args of [['generate', '--out', '--help'], ['generate', '--members', '1', '--out'], ['start', '--format'], ['seed', 'nowhere', '--server']]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toBe(`fhirseed: ${args.find((a, i) => a.startsWith('--') && (i === args.length - 1 || args[i + 1]!.startsWith('--')))}: no value given\n`);
    }
    expect((await run(['generate', '-n'])).stderr).toBe('fhirseed: -n: no value given\n');
  });

  it('should refuse a true/false flag given another value (every command), which yargs reads as true', async () => {
    let checked = 0;
    for (const module of commands) {
      const parser = yargs([]);
      (module.builder as (y: typeof parser) => unknown)(parser);
      const options = (parser as unknown as { getOptions(): ValueOptions & { boolean: string[] } }).getOptions();
      const name = String(module.command).split(' ')[0]!;
      for (const option of options.boolean.filter((o) => o !== 'help' && o !== 'version' && o.length > 1)) {
        expect(() => refuseBadBooleans(options, [name, `--${option}=maybe`]), option).toThrow(new RegExp(`^--${option}: "maybe" is not true or false$`));
        for (const ok of [`--${option}`, `--${option}=true`, `--${option}=false`, `--no-${option}`]) expect(() => refuseBadBooleans(options, [name, ok]), ok).not.toThrow();
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(10);
    // Were the check missing, this would generate (into a directory of its own, not ./output).
    const r = await run(['generate', '--pretty=maybe', '--members', '1', '--out', join(tmpdir(), `fhirseed-never-written-${process.pid}`)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('fhirseed: --pretty: "maybe" is not true or false\n');
  });

  it('should word its parser messages in English whatever $LANG and $LC_ALL say', async () => {
    const saved = { LANG: process.env.LANG, LC_ALL: process.env.LC_ALL };
    process.env.LANG = 'de_DE.UTF-8';
    process.env.LC_ALL = 'de_DE.UTF-8';
    try {
      const r = await run(['generate', '--bogus']);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('fhirseed: generate: unknown option --bogus (see fhirseed generate --help)\n');
    } finally {
      for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    }
  });
});
