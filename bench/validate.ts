import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCodeMaps } from '../src/codemaps/load.js';
import { generate } from '../src/output/generate.js';
import { loadProfile } from '../src/profile/load.js';
import { profileLoadOptions } from '../src/story/limits.js';
import { packageRoot } from '../src/util/paths.js';
import { readResources } from '../src/validate/read.js';
import { createValidator } from '../src/validate/validator.js';

/** Validation rate on a generated 200-member default population (packages from ../shared/fhir-packages). */
export async function benchValidate(): Promise<Record<string, number>> {
  const codeMaps = loadCodeMaps();
  const profile = loadProfile(join(packageRoot(), 'profiles', 'default.yaml'), profileLoadOptions(codeMaps));
  const out = mkdtempSync(join(tmpdir(), 'fhirseed-bench-validate-'));
  try {
    generate({ profile: { ...profile, members: 200 }, out, codeMaps, formats: ['ndjson'] });
    const { resources } = readResources([out]);
    const loadStart = process.hrtime.bigint();
    const packagesDir = process.env.FHIRSEED_PACKAGES ?? join(packageRoot(), '..', 'shared', 'fhir-packages');
    const validator = await createValidator({ packagesDir, igs: ['carin-bb@2.0.0', 'us-core@6.1.0'] });
    const loadSeconds = Number(process.hrtime.bigint() - loadStart) / 1e9;
    validator.validate(resources.slice(0, 50)); // compile the profiles before timing
    const started = process.hrtime.bigint();
    const issues = validator.validate(resources);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return {
      resources: resources.length,
      seconds,
      resourcesPerSecond: resources.length / seconds,
      errors: issues.filter((i) => i.severity === 'error').length,
      packageLoadSeconds: loadSeconds,
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
