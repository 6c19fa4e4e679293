// The server that has just built its SQLite store (issue 17): what it serves its first requests with. At 10,000
// members the first 16-client requests after a build took about twice a restarted server's p95: the read workers were
// still starting (the server thread answered meanwhile) and gigabytes of the build's key files were being unlinked
// beside them. A store of 50,000 resources or more gets its 2 default read workers, so this file generates ~54,000
// (180 members) and builds them: about 10 s of CPU.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Bundle } from '@medplum/fhirtypes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer } from '../../src/serve/index.js';
import { READ_WORKERS_FROM } from '../../src/serve/store/read-pool.js';
import { generateTo, shippedProfile, tempDir } from '../helpers/output.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';
import { fhir } from './helpers.js';

let out: { dir: string; cleanup: () => void };
let resources = 0;
const wanted = process.env.FHIRSEED_READ_WORKERS;

beforeAll(() => {
  // The default count, not one asked for.
  delete process.env.FHIRSEED_READ_WORKERS;
  out = tempDir('fhirseed-first-build-');
  resources = Object.values(generateTo(out.dir, { ...shippedProfile('default'), members: 180 }, { formats: ['ndjson'] }).counts.byType).reduce((a, b) => a + b, 0);
}, 300_000);
afterAll(() => {
  if (wanted !== undefined) process.env.FHIRSEED_READ_WORKERS = wanted;
  out.cleanup();
});

describe('serving right after the first build', () => {
  it('should serve only once its default read workers are ready and the build\'s key files are gone', async () => {
    expect(resources).toBeGreaterThanOrEqual(READ_WORKERS_FROM);
    const server = await startServer({ port: 0, dir: out.dir, store: 'sqlite', packagesDir: SHARED_PACKAGES });
    try {
      // Settled by the time the server serves: one turn of the event loop, where a worker takes 100 ms or more to start.
      let ready: number | undefined;
      void server.readWorkers.then((n) => (ready = n));
      await new Promise((resolve) => setImmediate(resolve));
      expect(ready).toBe(2);
      expect(readdirSync(join(out.dir, 'sandbox-store')).filter((file) => file.includes('.building'))).toEqual([]);
      expect(server.loadedResources).toBe(resources);
      const page = await fhir<Bundle>(`${server.url}/ExplanationOfBenefit?_count=2`);
      expect(page.status).toBe(200);
      expect(page.body.entry).toHaveLength(2);
    } finally {
      await server.close();
    }
  }, 300_000);
});
