/**
 * The FHIR server the integration tests talk to: FHIR_BASE_URL when set (any external server),
 * else fhirseed's embedded server started on a free port.
 */
export interface TestServer {
  url: string;
  external: boolean;
  close: () => Promise<void>;
}

export const externalServer = process.env.FHIR_BASE_URL?.replace(/\/+$/, '');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function startTestServer(options: Record<string, unknown> = {}): Promise<TestServer> {
  if (externalServer) return { url: externalServer, external: true, close: async () => undefined };
  let serve: { startServer: (o: Record<string, unknown>) => Promise<{ url: string; close: () => Promise<void> | void }> };
  try {
    // By a path in a variable: the embedded server is another part of the project, built separately.
    const path = '../../../src/serve/index.js';
    serve = (await import(path)) as typeof serve;
  } catch (error) {
    throw new Error(`the embedded server (src/serve/index.ts, startServer) could not be loaded; set FHIR_BASE_URL to test against a running server (${(error as Error).message})`);
  }
  const server = await serve.startServer({ port: 0, host: '127.0.0.1', ...options });
  return { url: server.url.replace(/\/+$/, ''), external: false, close: async () => void (await server.close()) };
}
