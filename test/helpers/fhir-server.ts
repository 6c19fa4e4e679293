import { describe } from 'vitest';
import { startServer, type ServeOptions } from '../../src/serve/index.js';

/**
 * The one switch for every integration test: FHIR_BASE_URL unset → each suite starts fhirseed's
 * embedded server on a free port; set → the same checks run against that server (HAPI, Smile CDR,
 * a cloud sandbox), so the suite doubles as a conformance check of a real sandbox.
 */
export const externalBaseUrl = process.env.FHIR_BASE_URL?.replace(/\/+$/, '') || undefined;

export interface TestServer {
  /** FHIR base URL without a trailing slash. */
  url: string;
  external: boolean;
  close: () => Promise<void>;
  /** Embedded only: resources preloaded from `dir` and the load errors. */
  loadedResources?: number;
  loadErrors?: string[];
}

/** FHIR_BASE_URL when set (options are then ignored: the external server holds what it holds), else the embedded server. */
export async function startTestServer(options: ServeOptions = {}): Promise<TestServer> {
  if (externalBaseUrl) return { url: externalBaseUrl, external: true, close: async () => undefined };
  const server = await startServer({ port: 0, host: '127.0.0.1', ...options });
  return { url: server.url, external: false, close: () => server.close(), loadedResources: server.loadedResources, loadErrors: server.loadErrors };
}

/** Why a suite is skipped under FHIR_BASE_URL; shown in the suite name. */
export const EMBEDDED_ONLY = 'embedded server only: skipped because FHIR_BASE_URL is set';

/** A describe for checks of the embedded server itself (its auth, preload, CLI, validation): skipped under FHIR_BASE_URL. */
export function describeEmbedded(name: string, body: () => void): void {
  describe.skipIf(Boolean(externalBaseUrl))(externalBaseUrl ? `${name} (${EMBEDDED_ONLY})` : name, body);
}
