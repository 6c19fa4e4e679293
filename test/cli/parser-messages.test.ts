import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run.js';

async function run(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), isTty: false });
  return { code, stdout, stderr };
}

describe("the parser's own mistakes are one line in fhirseed's words, naming the command and what to type", () => {
  it('should word a missing argument, a missing required option, unknown options and arguments, and unknown commands', async () => {
    const cases: [string[], string][] = [
      [['seed'], 'seed: missing <dir> (usage: fhirseed seed <dir> [options]; see fhirseed seed --help)'],
      // An option's value is not taken for the missing directory.
      [['seed', '--server', 'http://127.0.0.1:9/fhir'], 'seed: missing <dir> (usage: fhirseed seed <dir> [options]; see fhirseed seed --help)'],
      [['validate'], 'validate: missing <paths..> (usage: fhirseed validate <paths..> [options]; see fhirseed validate --help)'],
      [['seed', 'out'], 'seed: missing --server (see fhirseed seed --help)'],
      [['ping'], 'ping: missing --server (see fhirseed ping --help)'],
      [['generate', '--bogus=3', 'extra'], "generate: unknown option --bogus, unexpected argument 'extra' (see fhirseed generate --help)"],
      [['generate', '-x'], 'generate: unknown option -x (see fhirseed generate --help)'],
      [['serve', 'a', 'b'], "serve: unexpected argument 'b' (see fhirseed serve --help)"],
      [['genrate'], "unknown command 'genrate'; did you mean generate? (see fhirseed --help)"],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toBe(`fhirseed: ${message}\n`);
      expect(r.stdout, args.join(' ')).toBe('');
    }
    const unknown = await run(['bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^fhirseed: unknown command 'bogus'; commands: generate, validate, serve, start, seed, [a-z, -]+ \(see fhirseed --help\)\n$/);
  });

  it("should suggest the command's own option nearest to a mistyped one, and name a hyphenated one once", async () => {
    const cases: [string[], string][] = [
      [['generate', '--member', '5'], 'generate: unknown option --member (did you mean --members?) (see fhirseed generate --help)'],
      [['generate', '--memebrs=5'], 'generate: unknown option --memebrs (did you mean --members?) (see fhirseed generate --help)'],
      [['generate', '--Members', '5'], 'generate: unknown option --Members (did you mean --members?) (see fhirseed generate --help)'],
      // yargs lists a hyphenated unknown option twice (max-bundle-entrie and maxBundleEntrie): told once.
      [['generate', '--max-bundle-entrie', '5'], 'generate: unknown option --max-bundle-entrie (did you mean --max-bundle-entries?) (see fhirseed generate --help)'],
      [['validate', 'x', '--packges', 'p'], 'validate: unknown option --packges (did you mean --packages?) (see fhirseed validate --help)'],
      // Each command's own options: report has no --members.
      [['report', 'x', '--members', '5'], 'report: unknown option --members (see fhirseed report --help)'],
      [['generate', '--membrs', '5', '--prety'], 'generate: unknown option --membrs (did you mean --members?), unknown option --prety (did you mean --pretty?) (see fhirseed generate --help)'],
    ];
    for (const [args, message] of cases) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toBe(`fhirseed: ${message}\n`);
    }
  });
});
