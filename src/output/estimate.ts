import type { OutputFormat } from './writer.js';

/**
 * Bytes a member takes on disk, per output format. Measured on profiles/default.yaml, seed 20260101,
 * 200 members, both formats, compact bundles (fhirseed 0.1.0, 2026-11-30): bundles/ 115,848,286 and
 * ndjson/ 108,310,866 bytes → about 580 KB + 542 KB = 1.12 MB a member (the account files are within
 * the rounding; the directory apart, below); `--pretty` bundles take more (indentation). Profiles with more
 * utilization take more.
 */
export const BYTES_PER_MEMBER: Readonly<Record<OutputFormat, number>> = { bundles: 580_000, ndjson: 542_000 };

/** Above this estimate `generate` asks for --yes. */
export const CONFIRM_ABOVE_BYTES = 5e9;

/**
 * Bytes of the directory a run writes once (providers, the Plan-Net networks and plans, the formulary's drugs and
 * items), per output format. Measured on profiles/default.yaml, seed 20260101, every IG, compact bundles
 * (2026-11-30): bundles/directory*.json 1,221,756 bytes and its NDJSON lines 1,128,260 — twice a member's share,
 * so small populations were underestimated without it.
 */
export const DIRECTORY_BYTES: Readonly<Record<OutputFormat, number>> = { bundles: 1_222_000, ndjson: 1_128_000 };

/** Estimated output size in bytes for `members` members in these formats: the directory, and each member. */
export function estimateBytes(members: number, formats: readonly OutputFormat[]): number {
  return formats.reduce((sum, f) => sum + DIRECTORY_BYTES[f] + members * BYTES_PER_MEMBER[f], 0);
}

/** 1234567 → "1.2 MB" (decimal units, as disks are sold). */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB', 'PB', 'EB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value.toFixed(0) : value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
