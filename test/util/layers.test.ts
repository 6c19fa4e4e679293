import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The house rule "types flow downward only": each folder of src/ may import from folders of a lower rank (and from
 * itself), never from one of the same or a higher rank. Data flows profiles → profile → story → fhir → output → seed.
 */
const RANK: Record<string, number> = {
  util: 0,
  codemaps: 1,
  profile: 2,
  story: 3,
  fhir: 4,
  output: 5,
  validate: 5,
  kits: 5,
  guide: 5,
  seed: 6,
  report: 6,
  serve: 7,
  cli: 8,
};

function tsFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Every relative import of src/ as [importing file, imported folder of src/]. */
function imports(): [string, string][] {
  return tsFiles('src').flatMap((file) =>
    [...readFileSync(join(ROOT, file), 'utf8').matchAll(/\bfrom\s+'(\.[^']+)'|\bimport\('(\.[^']+)'\)/g)].map((m): [string, string] => {
      const target = normalize(join(dirname(file), m[1] ?? m[2]!));
      return [file, relative('src', target).split(/[\\/]/)[0]!];
    }),
  );
}

describe('layers of src/', () => {
  it('should give every folder of src/ a rank', () => {
    const folders = readdirSync(join(ROOT, 'src'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(folders.filter((f) => !(f in RANK))).toEqual([]);
  });

  it('should import only from lower layers (no codemaps or util file imports a higher folder)', () => {
    const all = imports();
    expect(all.length).toBeGreaterThan(500);
    const upward = all
      .filter(([file, target]) => {
        const from = file.split(/[\\/]/)[1]!;
        return target !== from && target in RANK && RANK[target]! >= RANK[from]!;
      })
      .map(([file, target]) => `${file} → src/${target}`);
    expect(upward).toEqual([]);
  });
});
