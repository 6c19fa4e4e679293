import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/commands/index.js';
import { COMMAND_NAMES, commandsFor } from '../../src/cli/commands/load.js';
import { runBin } from '../helpers/cli.js';

/**
 * `fhirseed generate` loaded every command's modules (server, validator, report charts): about 50 MiB of RSS in
 * generate's main thread for nothing (issue 13). The CLI now loads the typed command's module alone, and for --help
 * (no command named) each command's heading alone.
 */
describe('the commands the CLI loads (src/cli/commands/load.ts)', () => {
  const nameOf = (c: { command?: unknown }) => String(c.command).split(' ')[0];

  it('should know every command of the CLI, in the order --help lists them', () => {
    expect(COMMAND_NAMES).toEqual(commands.map(nameOf));
  });

  it('should load only the typed command, the same module the full list holds', async () => {
    for (const command of commands) {
      const name = nameOf(command)!;
      const loaded = await commandsFor([name, '--some-option', 'value']);
      expect(loaded, name).toHaveLength(1);
      expect(loaded[0], name).toBe(command);
    }
    expect((await commandsFor(['generate', 'validate'])).map(nameOf)).toEqual(['generate']);
  });

  it('should load no command module when no argument names a command (--help, --version, nothing, a typo): headings alone', async () => {
    for (const argv of [[], ['--help'], ['-h'], ['--version'], ['genrate'], ['toString'], ['--help', '--out', 'x']]) {
      const loaded = await commandsFor(argv);
      expect(loaded.map(nameOf), argv.join(' ')).toEqual(COMMAND_NAMES);
      // What yargs lists and suggests from: each heading as the command's own module has it.
      expect(loaded.map(({ command, describe }) => ({ command, describe })), argv.join(' ')).toEqual(commands.map(({ command, describe }) => ({ command, describe })));
      for (const [i, heading] of loaded.entries()) {
        expect(heading, argv.join(' ')).not.toBe(commands[i]);
        expect(heading.builder, argv.join(' ')).toBeUndefined();
      }
    }
  });

  it('should load every command when one is named after an option (-n 5 generate): yargs runs it', async () => {
    for (const argv of [['-n', '5', 'generate'], ['--out', 'x', 'report', 'dir']]) {
      expect(await commandsFor(argv), argv.join(' ')).toBe(commands);
    }
  });
});

/**
 * What a CLI child on dist/ resolves before it looks at its arguments: `fhirseed --help` loaded every command's module
 * graph (server, validator, charts: 2.5 CPU-s; 0.45 without). A child: the module graph of this worker is shared.
 */
describe('what the CLI loads for --help (a child on dist/)', () => {
  const ROOT = fileURLToPath(new URL('../../', import.meta.url));

  async function modulesOf(args: string[]): Promise<{ code: number | null; stderr: string; modules: string[] }> {
    const dir = mkdtempSync(join(tmpdir(), 'fhirseed-module-trace-'));
    try {
      const trace = join(dir, 'modules.txt');
      const run = await runBin('dist/src/cli/bin.js', args, ROOT, { nodeArgs: ['--import', './test/helpers/module-trace.mjs'], env: { MODULE_TRACE: trace } });
      return { code: run.code, stderr: run.stderr, modules: readFileSync(trace, 'utf8').split('\n').filter(Boolean) };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  const heavy = ['/node_modules/@observablehq/plot/', '/node_modules/linkedom/', '/dist/src/validate/validator.js'];

  it('should load no command module for --help', async () => {
    const { code, modules } = await modulesOf(['--help']);
    expect(code).toBe(0);
    expect(modules.some((m) => m.endsWith('/dist/src/cli/commands/headings.js'))).toBe(true);
    const loaded = modules.filter((m) => /\/dist\/src\/cli\/commands\/(?!headings\.js|load\.js)/.test(m) || heavy.some((h) => m.includes(h)) || m.includes('/node_modules/ajv/'));
    expect(loaded).toEqual([]);
  });

  it('should load neither the charts nor the validator for report DIR without --html', async () => {
    const { code, stderr, modules } = await modulesOf(['report', '/nonexistent-fhirseed-output']);
    expect(stderr).toBe('fhirseed: /nonexistent-fhirseed-output: cannot read (ENOENT)\n');
    expect(code).toBe(2);
    expect(modules.some((m) => m.endsWith('/dist/src/cli/commands/report.js'))).toBe(true);
    expect(modules.filter((m) => heavy.some((h) => m.includes(h)))).toEqual([]);
  });
});
