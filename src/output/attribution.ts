import type { MemberBuilder } from './member-builder.js';
import type { RenderedGroup } from './render.js';
import type { OutputWriter, Shard } from './writer.js';

/**
 * Gathers the members' provider attribution as they are written (Patient id → Organization ids, a few
 * strings a member) and writes the attribution Groups after the last member (bundles/provider-attribution.json,
 * ndjson/Group.ndjson, counted in the manifest), so that seeding carries them to other servers. A Group
 * lists members of every shard, which no one shard knows: with `--shard i/N` (N > 1) none is written and
 * `serve` derives them from the loaded data, as it does for outputs made before Groups were written.
 */
export class Attribution {
  /**
   * The (Organization, Patient id) pairs in the order written, as lines of text outside the JS heap (PairLog), each
   * Organization by its number in `organizations`. A `[patient, [organizations]]` pair per member, with the
   * Organization ids copied into each (a worker's answer is a structured clone), held 16.2 MiB of heap at 100,000
   * members; an array of Patient id strings per Organization 3.6 MiB, which the heap then grows past by
   * GENERATE_HEAP_GROWING_PERCENT; this log 1.7 MiB of bytes and 0.1 of heap (issue 13: peak RSS at 100,000).
   */
  private readonly log = new PairLog();
  private readonly organizations = new Map<string, number>();

  constructor(private readonly shard: Shard | undefined) {}

  /** Keeps the member's attribution; returns the group as it is. */
  add(group: RenderedGroup): RenderedGroup {
    for (const [patient, organizations] of group.attribution ?? []) {
      for (const organization of organizations) {
        let number = this.organizations.get(organization);
        if (number === undefined) this.organizations.set(organization, (number = this.organizations.size));
        this.log.push(`${number} ${patient}\n`);
      }
    }
    return group;
  }

  /** Writes the Groups (after the last member), unless the run is one shard of several or nobody is attributed. */
  write(builder: MemberBuilder, writer: OutputWriter): void {
    if (this.shard && this.shard.count > 1) return;
    const groups = builder.groups(this.pairs());
    if (groups) writer.writeDirectory(groups);
  }

  /** The attribution as `builder.groups` reads it (Patient id, Organization ids), one pair per Patient and Organization. */
  private *pairs(): Generator<[string, string[]]> {
    const organizations = [...this.organizations.keys()];
    for (const line of this.log.lines()) {
      const space = line.indexOf(' ');
      yield [line.slice(space + 1), [organizations[Number(line.slice(0, space))]!]];
    }
  }
}

/** Lines of text (without a newline inside) kept as UTF-8 in 256 KiB chunks: a line costs its bytes, nothing of the JS heap. */
class PairLog {
  private static readonly CHUNK = 1 << 18;
  private readonly chunks: { bytes: Buffer; used: number }[] = [];

  /** Appends `line`, which ends in a newline (a line is never split across chunks). */
  push(line: string): void {
    const size = Buffer.byteLength(line);
    let last = this.chunks.at(-1);
    if (last === undefined || last.used + size > last.bytes.length) {
      this.chunks.push((last = { bytes: Buffer.allocUnsafeSlow(Math.max(PairLog.CHUNK, size)), used: 0 }));
    }
    last.used += last.bytes.write(line, last.used, 'utf8');
  }

  /** The lines in the order pushed, without their newlines. */
  *lines(): Generator<string> {
    for (const { bytes, used } of this.chunks) yield* bytes.toString('utf8', 0, used - 1).split('\n');
  }
}
