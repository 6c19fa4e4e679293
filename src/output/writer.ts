import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { UserError } from '../util/errors.js';
import { accountCsvRow, accountsCsvHeader, type TestAccount } from './accounts.js';
import { transactionBundle } from './bundle.js';

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

/**
 * Writes as it goes: each member's bundle is written and its resources appended to the NDJSON file
 * of their type, so nothing is held in memory but the open file descriptors and the counts.
 */
export class OutputWriter {
  private readonly ndjson = new Map<string, number>();
  private accountsCsv: number | undefined;
  private accountsJson: number | undefined;
  private accountsWritten = 0;
  readonly counts: OutputCounts = { byType: {}, byProfile: {}, members: 0, bundles: 0 };
  readonly files = new Set<string>();

  constructor(
    readonly dir: string,
    private readonly formats: ReadonlySet<OutputFormat>,
    private readonly shard: Shard | undefined,
  ) {}

  /** Prepares the directory: refuses one holding files that are not fhirseed's; clears an earlier run's files. */
  open(): void {
    if (existsSync(this.dir)) {
      const entries = readdirSync(this.dir);
      const ours = entries.every((e) => /^(bundles|ndjson|manifest.*\.json|test-accounts.*\.(json|csv))$/.test(e));
      if (!ours) {
        throw new UserError(`output directory ${this.dir} holds files fhirseed did not write; choose an empty --out directory`);
      }
      if (!this.shard || this.shard.count === 1) {
        for (const e of entries) rmSync(join(this.dir, e), { recursive: true, force: true });
      }
    }
    mkdirSync(this.dir, { recursive: true });
    if (this.formats.has('bundles')) mkdirSync(join(this.dir, 'bundles'), { recursive: true });
    if (this.formats.has('ndjson')) mkdirSync(join(this.dir, 'ndjson'), { recursive: true });
    const suffix = shardSuffix(this.shard);
    this.accountsCsv = this.openFile(`test-accounts${suffix}.csv`);
    writeSync(this.accountsCsv, accountsCsvHeader());
    this.accountsJson = this.openFile(`test-accounts${suffix}.json`);
    writeSync(this.accountsJson, '[\n');
  }

  writeDirectory(resources: readonly Resource[]): void {
    this.writeGroup('bundles/directory.json', resources);
  }

  writeMember(index: number, resources: readonly Resource[], account: TestAccount): void {
    this.writeGroup(`bundles/member-${String(index).padStart(6, '0')}.json`, resources);
    this.counts.members++;
    writeSync(this.accountsCsv!, accountCsvRow(account));
    writeSync(this.accountsJson!, `${this.accountsWritten ? ',\n' : ''}  ${JSON.stringify(account)}`);
    this.accountsWritten++;
  }

  close(): void {
    if (this.accountsJson !== undefined) {
      writeSync(this.accountsJson, '\n]\n');
      closeSync(this.accountsJson);
    }
    if (this.accountsCsv !== undefined) closeSync(this.accountsCsv);
    for (const fd of this.ndjson.values()) closeSync(fd);
    this.ndjson.clear();
  }

  private writeGroup(bundleFile: string, resources: readonly Resource[]): void {
    for (const r of resources) {
      this.counts.byType[r.resourceType] = (this.counts.byType[r.resourceType] ?? 0) + 1;
      for (const p of r.meta?.profile ?? []) this.counts.byProfile[p] = (this.counts.byProfile[p] ?? 0) + 1;
    }
    if (this.formats.has('bundles')) {
      const fd = this.openFile(bundleFile);
      writeSync(fd, `${JSON.stringify(transactionBundle(resources), null, 2)}\n`);
      closeSync(fd);
      this.counts.bundles++;
    }
    if (this.formats.has('ndjson')) {
      for (const r of resources) writeSync(this.ndjsonFile(r.resourceType), `${JSON.stringify(r)}\n`);
    }
  }

  private ndjsonFile(type: string): number {
    let fd = this.ndjson.get(type);
    if (fd === undefined) {
      fd = this.openFile(`ndjson/${type}${shardSuffix(this.shard)}.ndjson`);
      this.ndjson.set(type, fd);
    }
    return fd;
  }

  private openFile(relative: string): number {
    // Member bundles are not listed one by one, so that memory does not grow with the population.
    if (!relative.startsWith('bundles/member-')) this.files.add(relative);
    return openSync(join(this.dir, relative), 'w');
  }
}
