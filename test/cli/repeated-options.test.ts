// An option that takes one value, given twice: yargs makes a list of the values, which `generate -p default -p
// commercial` then read as a path (TypeError, exit 70). Now one line and exit 2, for every such option of every command.
import yargs from 'yargs';
import { describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/commands/index.js';
import { runCli } from '../../src/cli/run.js';

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTty: false });
  return { code, stdout, stderr };
}

interface Options {
  string: string[];
  number: string[];
  array: string[];
  choices: Record<string, unknown[]>;
  hiddenOptions: string[];
}

/** Each command's options that take one value, read from its yargs definition, with two values to give each. */
function singleValueOptions(): { args: string[]; flag: string; values: [string, string] }[] {
  const found: { args: string[]; flag: string; values: [string, string] }[] = [];
  for (const module of commands) {
    const parser = yargs([]);
    (module.builder as (y: typeof parser) => unknown)(parser);
    const options = (parser as unknown as { getOptions(): Options }).getOptions();
    const name = String(module.command).split(' ')[0]!;
    const declared = String(module.command).match(/<[^>]+>/g) ?? [];
    const positionals = declared.map(() => 'nowhere');
    const positionalNames = new Set(declared.map((p) => p.replace(/[<>.]/g, '')));
    for (const option of new Set([...options.string, ...options.number, ...Object.keys(options.choices)])) {
      if (options.array.includes(option) || options.hiddenOptions.includes(option) || positionalNames.has(option)) continue;
      const choices = (options.choices[option] ?? []).map(String);
      const values: [string, string] = choices.length > 1 ? [choices[0]!, choices[1]!] : ['1', '2'];
      found.push({ args: [name, ...positionals], flag: `${option.length === 1 ? '-' : '--'}${option}`, values });
    }
  }
  return found;
}

describe('an option that takes one value, given twice', () => {
  const options = singleValueOptions();

  it('should find them (generate --profile and -p, seed --server, serve --port among them)', () => {
    expect(options.map((o) => `${o.args[0]} ${o.flag}`)).toEqual(expect.arrayContaining(['generate --profile', 'generate -p', 'seed --server', 'serve --port']));
  });

  it('should be one line naming the option, exit 2, and nothing run', async () => {
    for (const { args, flag, values } of options) {
      const { code, stdout, stderr } = await run([...args, flag, values[0], flag, values[1]]);
      expect({ flag, code, stderr, stdout }).toEqual({ flag, code: 2, stderr: `fhirseed: ${flag}: given 2 times; it takes one value\n`, stdout: '' });
    }
  });

  it('generate -p default -p commercial (was: TypeError, exit 70)', async () => {
    const { code, stderr } = await run(['generate', '-p', 'default', '-p', 'commercial', '--out', 'nowhere']);
    expect(code).toBe(2);
    expect(stderr).toBe('fhirseed: -p: given 2 times; it takes one value\n');
  });

  it('an option that takes a list (--ig) still takes it repeated', async () => {
    const { stderr } = await run(['validate', 'nowhere', '--ig', 'carin-bb@2.0.0', '--ig', 'us-core@6.1.0']);
    expect(stderr).not.toContain('given 2 times');
  });
});
