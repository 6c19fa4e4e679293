import { describe, expect, it } from 'vitest';
import { commands } from '../../src/cli/commands/index.js';
import { COMMAND_NAMES, commandsFor } from '../../src/cli/commands/load.js';

/**
 * `fhirseed generate` loaded every command's modules (server, validator, report charts): about 50 MiB of RSS in
 * generate's main thread for nothing (issue 13). The CLI now loads the typed command's module alone.
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

  it('should load every command when none is named first (--help, nothing, a typo, an option first)', async () => {
    for (const argv of [[], ['--help'], ['--version'], ['genrate'], ['toString'], ['-n', '5', 'generate']]) {
      expect(await commandsFor(argv), argv.join(' ')).toBe(commands);
    }
  });
});
