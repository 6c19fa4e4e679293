import { setFlagsFromString } from 'node:v8';

/**
 * Turns V8's allocation-site pretenuring off (`on` false) or back on for this process: every thread, since V8
 * flags are process-wide. `--allocation-site-pretenuring` is read at each scavenge's pretenuring feedback, so
 * setting it at run time, before the work starts, takes effect (measured, below).
 *
 * Why validate turns it off (issue 13): with it, `validate --jobs 1` over 1,500 default members (442,237
 * resources) ran in one of three GC modes, decided by which allocation sites V8 chose to tenure early in the
 * validation pass, when what is allocated there (compiled profiles, caches) lives on. Once a site allocates in
 * the old space, the short-lived arrays it later makes for each resource hold young nodes of that resource,
 * and the scavenger keeps everything an old-space object points to until the next mark-compact: about every
 * resource validated since the last one was promoted. Fast 0.20 GB promoted, 17–19 mark-compacts, ~31 CPU-s;
 * mild 1.4 GB, ~110, 44–51 CPU-s; severe 4.2 GB, ~190, 59–78 CPU-s; 5 of 9 runs slow. With pretenuring off,
 * every run was in the fast mode (2026-12-01, docs/performance.md). Nothing validate keeps is large enough for
 * pretenuring to save much: its long-lived data (packages, definitions, profiles) is built once, at the start.
 */
export function allocationSitePretenuring(on: boolean): void {
  setFlagsFromString(on ? '--allocation-site-pretenuring' : '--no-allocation-site-pretenuring');
}
