import { setFlagsFromString } from 'node:v8';

/**
 * Turns V8's allocation-site pretenuring off (`on` false) or back on for this process: every thread, since V8
 * flags are process-wide. `--allocation-site-pretenuring` is read at each scavenge's pretenuring feedback, so
 * setting it at run time, before the work starts, takes effect (measured, below).
 *
 * Why validate turns it off (issue 13): with it, `validate --jobs 1` over 1,500 default members (442,237
 * resources) ran in one of three GC modes, set early in the validation pass and kept to the end: fast 0.20 GB
 * promoted, 17–19 mark-compacts, 31–45 CPU-s; mild 1.4 GB, ~110, 44–67 CPU-s; severe 4.2 GB, ~190, 59–78 CPU-s
 * (6 of 9 runs not fast). V8 tenures an allocation site once nearly all of its objects have survived a few
 * scavenges; from then on the site allocates in the old space. The likely mechanism (no single site was caught:
 * `--trace-pretenuring-statistics` shows decisions in every run, fast ones too): a short-lived array made at such
 * a site for one resource keeps that resource's young nodes alive through every scavenge until the next mark-compact.
 * With pretenuring off (6 runs with the node flag, then 10 with this call) all 16 were fast (2026-12-01,
 * docs/performance.md), and a 25-member validate took the same CPU time: validate's long-lived data
 * (packages, definitions, profiles) is built once, at the start, where pretenuring saves a copy or two at most.
 */
export function allocationSitePretenuring(on: boolean): void {
  setFlagsFromString(on ? '--allocation-site-pretenuring' : '--no-allocation-site-pretenuring');
}
