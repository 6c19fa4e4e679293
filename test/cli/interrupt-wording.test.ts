// bin.ts's line for a signal no command has claimed yet: for generate, the line generate itself says once it has begun
// to write, with --out as typed in any of its forms (s15 trial C1: `interrupted` alone before, a longer line after).
// The real signals at both moments: test/cli/signals.test.ts and test/cli/interrupt.test.ts.
import { describe, expect, it } from 'vitest';
import { unclaimedInterruptLine } from '../../src/cli/interrupt-wording.js';
import { generateInterrupted } from '../../src/output/interrupted.js';

describe('the line for a signal before a command claims it', () => {
  it("should name generate's --out in each form yargs reads, and its default", () => {
    const forms: [string[], string][] = [
      [['generate', '--out', 'g1'], 'g1'],
      [['generate', '-n', '5', '--out=dir with spaces/ü'], 'dir with spaces/ü'],
      [['generate', '-o', '../rel'], '../rel'],
      [['generate', '-o=x=y'], 'x=y'],
      [['generate', '-ofolder'], 'folder'],
      [['generate', '--members', '3'], 'output'],
      [['generate', '--', '--out', 'not-an-option'], 'output'],
    ];
    for (const [argv, out] of forms) expect(unclaimedInterruptLine(argv), argv.join(' ')).toBe(`interrupted; nothing of this run was kept, ${out} is as it was`);
    expect(unclaimedInterruptLine(['generate', '--out', 'a'])).toBe(generateInterrupted('a'));
    // start generates first: before its generate claims the signal it says what its generate would.
    expect(unclaimedInterruptLine(['start', '--out', 's1', '--port', '0'])).toBe(generateInterrupted('s1'));
    expect(unclaimedInterruptLine(['start'])).toBe(generateInterrupted('output'));
  });

  // V-report 10: a bare `interrupted` where README lists serve's start-up lines by step.
  it("should say for serve that nothing was served, before its first step (reading the IG packages)", () => {
    for (const argv of [['serve'], ['serve', 'out', '--port', '0']]) expect(unclaimedInterruptLine(argv)).toBe('interrupted before reading the IG packages; nothing served');
  });

  it('should say only that it was interrupted for any other command', () => {
    for (const argv of [['validate', 'generate'], ['kits', 'start'], ['seed', 'serve'], [], ['--help']]) expect(unclaimedInterruptLine(argv)).toBe('interrupted');
  });
});
