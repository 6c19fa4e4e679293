import { describe, expect, it } from 'vitest';
import { expectOneLineExit2, runBin } from './helpers/bin.js';

/** A secret typed as an option is refused in one line that says where it goes, and is never echoed. */
const SECRET = 'S3cr3t-value-never-echoed';

describe('secrets on the command line', () => {
  const cases: [string, string[], RegExp][] = [
    ['seed --client-secret', ['seed', 'out', '--server', 'http://127.0.0.1:9', '--auth', 'client-credentials', '--client-id', 'c', '--client-secret', SECRET], /--client-secret-file FILE or \$FHIRSEED_CLIENT_SECRET/],
    ['ping --token=…', ['ping', '--server', 'http://127.0.0.1:9', `--token=${SECRET}`], /--token-file FILE or \$FHIRSEED_TOKEN/],
    ['purge --password', ['purge', '--server', 'http://127.0.0.1:9', '--run', 'r', '--password', SECRET], /--basic-file FILE .*\$FHIRSEED_BASIC_PASSWORD/],
    ['seed --private-key', ['seed', 'out', '--server', 'http://127.0.0.1:9', '--auth', 'smart-backend', '--private-key', SECRET], /--private-key-file FILE or \$FHIRSEED_PRIVATE_KEY/],
  ];
  for (const [name, args, instead] of cases) {
    it(`should refuse ${name}, say to use the file option or environment variable, exit 2, and not echo the value`, async () => {
      const run = await runBin(args);
      expectOneLineExit2(run, instead);
      expect(run.stderr).toMatch(/is not taken on the command line/);
      expect(run.stderr).not.toMatch(/Unknown argument/i);
      expect(run.stdout + run.stderr).not.toContain(SECRET);
    });
  }

  it('should keep those options out of --help', async () => {
    const run = await runBin(['seed', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--client-secret-file');
    expect(run.stdout).not.toMatch(/--client-secret\s/);
    expect(run.stdout).not.toMatch(/--password\b/);
  });
});
