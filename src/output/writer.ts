import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { accountCsvRow, accountsCsvHeader, type TestAccount } from './accounts.js';
import { transactionBundle } from './bundle.js';
import { DEFAULT_MAX_BUNDLE_ENTRIES, splitGroup } from './split.js';

export type OutputFormat = 'bundles' | 'ndjson';

export interface Shard {
  index: number;
  count: number;
}

/** File name suffix of a shard's own files (none for an unsharded run). */
export function shardSuffix(shard: Shard | undefined): string {
  return shard && shard.count > 1 ? `.shard-${shard.index}-of-${shard.count}` : '';
}

export interface OutputCounts {
  byType: Record<string, number>;
  byProfile: Record<string, number>;
  members: number;
  bundles: number;
}

/** Appends to a file through a bounded buffer: one write call per ~1 MiB instead of one per line. */
class BufferedFile {
  private chunks: string[] = [];
  private size = 0;

  constructor(private readonly fd: number) {}

  write(text: string): void {
    this.chunks.push(text);
    this.size += text.length;
    if (this.size >= 1 << 20) this.flush();
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private flush(): void {
    if (this.size === 0) return;
    writeSync(this.fd, this.chunks.join(''));
    this.chunks = [];
    this.size = 0;
  }
}

/**
 * Writes as it goes: each member's bundle is written and its resources appended to the NDJSON file
 * of their type, so nothing is held in memory but the open file descriptors and the counts.
 */
export class OutputWriter {
  private readonly ndjson = new Map<string, BufferedFile>();
  private accountsCsv: BufferedFile | undefined;
  private accountsJson: BufferedFile | undefined;
  private accountsWritten = 0;
  readonly counts: OutputCounts = { byType: {}, byProfile: {}, members: 0, bundles: 0 };
  readonly files = new Set<string>();

  constructor(
    readonly dir: string,
    private readonly formats: ReadonlySet<OutputFormat>,
    private readonly shard: Shard | undefined,
    /** Entries per bundle file at most: a larger group goes to `<name>-2.json`, `<name>-3.json`, … */
    private readonly maxBundleEntries = DEFAULT_MAX_BUNDLE_ENTRIES,
  ) {}

  /** Prepares the (new, empty) directory: subdirectories and the test-account files. */
  open(): void {
    mkdirSync(this.dir, { recursive: true });
    if (this.formats.has('bundles')) mkdirSync(join(this.dir, 'bundles'), { recursive: true });
    if (this.formats.has('ndjson')) mkdirSync(join(this.dir, 'ndjson'), { recursive: true });
    const suffix = shardSuffix(this.shard);
    this.accountsCsv = new BufferedFile(this.openFile(`test-accounts${suffix}.csv`));
    this.accountsCsv.write(accountsCsvHeader());
    this.accountsJson = new BufferedFile(this.openFile(`test-accounts${suffix}.json`));
    this.accountsJson.write('[\n');
  }

  writeDirectory(resources: readonly Resource[]): void {
    this.writeGroup('bundles/directory.json', resources);
  }

  writeMember(index: number, resources: readonly Resource[], account: TestAccount): void {
    this.writeGroup(`bundles/member-${String(index).padStart(6, '0')}.json`, resources);
    this.counts.members++;
    this.accountsCsv!.write(accountCsvRow(account));
    this.accountsJson!.write(`${this.accountsWritten ? ',\n' : ''}  ${JSON.stringify(account)}`);
    this.accountsWritten++;
  }

  close(): void {
    if (this.accountsJson !== undefined) {
      this.accountsJson.write('\n]\n');
      this.accountsJson.close();
    }
    this.accountsCsv?.close();
    for (const file of this.ndjson.values()) file.close();
    this.ndjson.clear();
  }

  private writeGroup(bundleFile: string, resources: readonly Resource[]): void {
    for (const r of resources) {
      this.counts.byType[r.resourceType] = (this.counts.byType[r.resourceType] ?? 0) + 1;
      for (const p of r.meta?.profile ?? []) this.counts.byProfile[p] = (this.counts.byProfile[p] ?? 0) + 1;
    }
    if (this.formats.has('bundles')) {
      for (const [i, part] of splitGroup(resources, this.maxBundleEntries).entries()) {
        const file = i === 0 ? bundleFile : bundleFile.replace(/\.json$/, `-${i + 1}.json`);
        // A member's first bundle is not listed (one per member, see openFile); its further parts are.
        if (i > 0 || !file.startsWith('bundles/member-')) this.files.add(file);
        writeFileSync(join(this.dir, file), `${JSON.stringify(transactionBundle(part), null, 2)}\n`);
        this.counts.bundles++;
      }
    }
    if (this.formats.has('ndjson')) {
      for (const r of resources) this.ndjsonFile(r.resourceType).write(`${JSON.stringify(r)}\n`);
    }
  }

  private ndjsonFile(type: string): BufferedFile {
    let file = this.ndjson.get(type);
    if (file === undefined) {
      file = new BufferedFile(this.openFile(`ndjson/${type}${shardSuffix(this.shard)}.ndjson`));
      this.ndjson.set(type, file);
    }
    return file;
  }

  private openFile(relative: string): number {
    // Member bundles are not listed one by one, so that memory does not grow with the population.
    if (!relative.startsWith('bundles/member-')) this.files.add(relative);
    return openSync(join(this.dir, relative), 'w');
  }
}
