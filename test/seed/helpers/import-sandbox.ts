import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { startServer } from '../../../src/serve/index.js';
import { generateTo, shippedProfile, tempDir } from '../../helpers/output.js';
import { uniqueRunId } from './data.js';

/**
 * The `$import` tests' fixture: in beforeAll, `members` of the default profile at `seed` generated to `dir` (run id
 * `runId`) and the embedded sandbox started on a free port; in afterAll, the sandbox closed and the folder removed.
 * `server()` is the started sandbox (only inside tests and hooks).
 */
export function importSandbox(name: string, members: number, seed: number, timeoutMs = 120_000) {
  const temp = tempDir(`fhirseed-${name}-`);
  const dir = join(temp.dir, 'out');
  const runId = uniqueRunId(name);
  let sandbox: Awaited<ReturnType<typeof startServer>> | undefined;
  beforeAll(async () => {
    generateTo(dir, { ...shippedProfile('default'), members, seed }, { runId });
    sandbox = await startServer({ port: 0, host: '127.0.0.1' });
  }, timeoutMs);
  afterAll(async () => {
    await sandbox?.close();
    temp.cleanup();
  });
  return { temp, dir, runId, server: () => sandbox! };
}
