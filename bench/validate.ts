import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCodeMaps } from '../src/codemaps/load.js';
import { generate } from '../src/output/generate.js';
import { loadProfile } from '../src/profile/load.js';
import { profileLoadOptions } from '../src/story/limits.js';
import { packageRoot } from '../src/util/paths.js';
import { igsFromManifests } from '../src/validate/manifest-igs.js';
import { allocationSitePretenuring } from '../src/validate/pretenuring.js';
import { inputFiles } from '../src/validate/read.js';
import { coveragePackagesOf, scanFiles, validateScanned } from '../src/validate/stream.js';
import { createValidator, DEFAULT_IGS } from '../src/validate/validator.js';

/**
 * The streaming validator on a generated default population (NDJSON; FHIRSEED_BENCH_VALIDATE_MEMBERS,
 * default 200; packages from ../shared/fhir-packages or $FHIRSEED_PACKAGES), as the CLI runs it: the
 * IGs its manifest names (all five by default, as `fhirseed validate` takes them), the key scan, then
 * validation with coverage, with --jobs 1 and --jobs N (N = cores). Resources per
 * second of wall time, per CPU-second of this process (the one-core rate, whatever else runs on the
 * machine), and the process's peak RSS (MiB; worker threads included). V8's allocation-site pretenuring off while
 * it runs, as `fhirseed validate` has it (src/validate/pretenuring.ts), and back on for the benchmarks after it.
 */
export async function benchValidate(): Promise<Record<string, number>> {
  const members = Number(process.env.FHIRSEED_BENCH_VALIDATE_MEMBERS ?? 200);
  const codeMaps = loadCodeMaps();
  const profile = loadProfile(join(packageRoot(), 'profiles', 'default.yaml'), profileLoadOptions(codeMaps));
  const out = mkdtempSync(join(tmpdir(), 'fhirseed-bench-validate-'));
  allocationSitePretenuring(false);
  try {
    generate({ profile: { ...profile, members }, out, codeMaps, formats: ['ndjson'] });
    const loadStart = process.hrtime.bigint();
    const packagesDir = process.env.FHIRSEED_PACKAGES ?? join(packageRoot(), '..', 'shared', 'fhir-packages');
    const igs = igsFromManifests([out])?.igs ?? DEFAULT_IGS;
    const validator = await createValidator({ packagesDir, igs, slim: true });
    const loadSeconds = Number(process.hrtime.bigint() - loadStart) / 1e9;
    const coveragePackages = coveragePackagesOf(validator, igs);
    const run = async (jobs: number) => {
      const cpu = process.cpuUsage();
      const started = process.hrtime.bigint();
      const scan = scanFiles(inputFiles([out]));
      const result = await validateScanned(scan, validator, { coveragePackages, jobs, igs, packagesDir });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const used = process.cpuUsage(cpu);
      return { resources: scan.resources, seconds, cpuSeconds: (used.user + used.system) / 1e6, errors: result.issues.filter((i) => i.severity === 'error').length };
    };
    await run(1); // compile the profiles and warm the caches before timing
    const one = await run(1);
    const rssOne = process.resourceUsage().maxRSS / 1024;
    const cores = availableParallelism();
    const many = cores > 1 ? await run(cores) : one;
    return {
      resources: one.resources,
      seconds: one.seconds,
      resourcesPerSecond: one.resources / one.seconds,
      resourcesPerCpuSecond: one.resources / one.cpuSeconds,
      jobs: cores,
      igs: igs.length,
      resourcesPerSecondJobsN: many.resources / many.seconds,
      errors: one.errors,
      peakRssMiBJobs1: rssOne,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
      packageLoadSeconds: loadSeconds,
    };
  } finally {
    allocationSitePretenuring(true);
    rmSync(out, { recursive: true, force: true });
  }
}
