import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `npm run bench`: generation rate and peak memory at 1k and 10k members (each in its own process),
 * then the validator and the embedded server when they are built. Prints a table and a JSON line.
 */
const here = dirname(fileURLToPath(import.meta.url));
const results: Record<string, unknown> = {};

for (const members of [1000, 10000]) {
  const line = execFileSync(process.execPath, ['--expose-gc', join(here, 'generate-once.js'), String(members)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  const r = JSON.parse(line) as Record<string, number>;
  results[`generate-${members}`] = r;
  console.log(
    `generate ${members} members: ${r.resources} resources in ${r.seconds!.toFixed(1)} s — ${r.membersPerSecond!.toFixed(0)} members/s, ${r.resourcesPerSecond!.toFixed(0)} resources/s, peak RSS ${r.peakRssMiB!.toFixed(0)} MiB, live heap ${r.heapAfterGcAt10PctMiB?.toFixed(1)} MiB at 10% → ${r.heapAfterGcAtEndMiB?.toFixed(1)} MiB at the end`,
  );
}

for (const [name, file, fn] of [['validate', 'validate.js', 'benchValidate'], ['serve', 'serve.js', 'benchServe'], ['seed', 'seed.js', 'benchSeed']] as const) {
  const path = join(here, file);
  if (!existsSync(path)) continue;
  const mod = (await import(path)) as Record<string, () => Promise<Record<string, number>>>;
  const bench = mod[fn];
  if (!bench) continue;
  const r = await bench();
  results[name] = r;
  console.log(`${name}: ${Object.entries(r).map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toFixed(2)) : v}`).join(', ')}`);
}
console.log(JSON.stringify(results));
