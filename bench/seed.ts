import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCodeMaps } from '../src/codemaps/load.js';
import { generate } from '../src/output/generate.js';
import { loadProfile } from '../src/profile/load.js';
import { profileLoadOptions } from '../src/story/limits.js';
import { defaultConnection } from '../src/seed/options.js';
import { seed } from '../src/seed/seed.js';
import { packageRoot } from '../src/util/paths.js';

interface EmbeddedServer {
  url: string;
  close: () => Promise<void> | void;
}

const MEMBERS = 300;

/**
 * Seeder throughput against the embedded server over HTTP (transaction mode, 100-entry bundles,
 * 4 in flight), and its ratio to the server's own in-process load rate when the serve bench gives one.
 */
export async function benchSeed(): Promise<Record<string, number>> {
  // Imported by path at run time: the server module is built by another part of the project.
  const servePath = '../src/serve/index.js';
  const { startServer } = (await import(servePath)) as { startServer: (o: Record<string, unknown>) => Promise<EmbeddedServer> };
  const codeMaps = loadCodeMaps();
  const profile = loadProfile(join(packageRoot(), 'profiles', 'default.yaml'), profileLoadOptions(codeMaps));
  const out = mkdtempSync(join(tmpdir(), 'fhirseed-bench-seed-'));
  const server = await startServer({ port: 0, host: '127.0.0.1' });
  try {
    generate({ profile: { ...profile, members: MEMBERS }, out, codeMaps, formats: ['bundles'] });
    const results: Record<string, number> = {};
    for (const mode of ['transaction', 'batch', 'upsert'] as const) {
      const summary = await seed({
        ...defaultConnection(server.url), dir: out, mode, bundleSize: 100, concurrency: 4,
        dryRun: false, resume: false, retryDeadLetter: false, verify: false,
      });
      if (!summary.ok) throw new Error(`bench seed (${mode}) dead-lettered ${summary.deadLettered}`);
      results[`${mode}ResourcesPerSecond`] = summary.rate;
      if (mode === 'transaction') results.resources = summary.sent;
    }
    const rate = await serverInProcessRate(out);
    if (rate) {
      results.serverInProcessResourcesPerSecond = rate;
      results.transactionShareOfInProcess = results.transactionResourcesPerSecond! / rate;
    }
    return results;
  } finally {
    await server.close();
    rmSync(out, { recursive: true, force: true });
  }
}

/** The serve bench's in-process load rate for the same output, when it offers one. */
async function serverInProcessRate(dir: string): Promise<number | undefined> {
  const path = join(dirname(fileURLToPath(import.meta.url)), 'serve.js');
  if (!existsSync(path)) return undefined;
  const mod = (await import(path)) as { inProcessLoadRate?: (dir: string) => Promise<number> };
  return mod.inProcessLoadRate ? mod.inProcessLoadRate(dir) : undefined;
}
