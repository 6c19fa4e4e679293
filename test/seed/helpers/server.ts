/**
 * The FHIR server the seeder's integration tests talk to: FHIR_BASE_URL when set (any external
 * server), else fhirseed's embedded server on a free port. One switch for all suites: test/helpers/fhir-server.ts.
 */
export { externalBaseUrl as externalServer, startTestServer, type TestServer } from '../../helpers/fhir-server.js';

import { afterAll, beforeAll } from 'vitest';
import { startTestServer as start, type TestServer as Server } from '../../helpers/fhir-server.js';
import { connect } from '../../../src/seed/connect.js';
import { countTagged, runTagToken } from '../../../src/seed/verify.js';
import { testConnection } from './data.js';
import { tempDir } from './temp.js';

/**
 * A suite's server and scratch directory: the server starts before the file's tests and is closed,
 * and the directory removed, after them. `server()` is valid inside tests.
 */
export function suiteServer(): { server: () => Server; temp: ReturnType<typeof tempDir> } {
  let server: Server | undefined;
  const temp = tempDir();
  beforeAll(async () => {
    server = await start();
  });
  afterAll(async () => {
    await server?.close();
    temp.remove();
  });
  return {
    server: () => {
      if (!server) throw new Error('the test server is not started yet');
      return server;
    },
    temp,
  };
}

/** How many resources of each type carry the run's tag on the server at `url`. */
export async function taggedCounts(url: string, runId: string, types: string[]): Promise<Record<string, number>> {
  const { client } = connect(testConnection(url));
  try {
    const counts: Record<string, number> = {};
    for (const t of types) counts[t] = await countTagged(client, t, runTagToken(runId));
    return counts;
  } finally {
    await client.close();
  }
}
