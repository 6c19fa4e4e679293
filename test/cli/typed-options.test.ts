import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTty: false });
  return { code, stdout, stderr };
}

// Port 9 (discard) on loopback: nothing is contacted, the options are refused before any request.
const server = 'http://127.0.0.1:9/fhir';

describe('numbers and choices on the command line are refused in one line, as typed', () => {
  it('should name a numeric option typed as text as the user typed it, not NaN', async () => {
    const cases: [string[], string][] = [
      [['validate', 'nowhere', '--jobs', 'x'], '--jobs x: expected a number'],
      [['validate', 'nowhere', '--max-errors=lots'], '--max-errors lots: expected a number'],
      [['seed', 'nowhere', '--server', server, '--concurrency', 'abc'], '--concurrency abc: expected a number'],
      [['ping', '--server', server, '--members', ''], "--members '': expected a number"],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toBe(`fhirseed: ${message}\n`);
    }
  });

  it('should give an option outside its choices in one line naming the value and the choices', async () => {
    for (const args of [['seed', 'nowhere', '--server', server, '--mode', 'bogus'], ['serve', '--auth', 'bogus']]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr, args.join(' ')).toMatch(/^fhirseed: --(mode|auth): "bogus" is not one of [a-z-]+(, [a-z-]+)+\n$/);
    }
  });
});
