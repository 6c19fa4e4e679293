import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../util/errors.js';

/** The FHIR package registry tried when a package is not at hand. */
export const DEFAULT_PACKAGE_REGISTRY = 'https://packages.fhir.org';

/** The standard FHIR package cache the HL7 tools share: ~/.fhir/packages (follows $HOME). */
export function packageCacheDir(): string {
  return join(homedir(), '.fhir', 'packages');
}

/**
 * Where packages are looked for, in order: the given directory (`--packages`), $FHIRSEED_PACKAGES,
 * then the standard cache ~/.fhir/packages. Each holds `<name>#<version>.tgz` (or `<name>-<version>.tgz`)
 * files or unpacked `<name>#<version>/package/` folders.
 */
export function packageSearchDirs(packagesDir?: string): string[] {
  const dirs = [packagesDir, process.env.FHIRSEED_PACKAGES, packageCacheDir()].filter((d): d is string => Boolean(d));
  return [...new Set(dirs)];
}

/**
 * The note for a `--packages` directory that does not exist, or undefined when it does (or none is given). Such a
 * directory is passed over rather than refused — README, serve: "a folder that does not exist serves without the IG
 * packages" (how tests and users serve without packages and without a download) — so the note says where the packages
 * are looked for instead, and that nothing is downloaded while --packages is given (downloadSkipReason). A file given
 * as --packages is refused before this (util/directory-option.ts).
 */
export function packagesDirNote(packagesDir: string | undefined): string | undefined {
  if (!packagesDir || existsSync(packagesDir)) return undefined;
  const rest = packageSearchDirs(packagesDir).filter((d) => d !== packagesDir);
  return `--packages ${packagesDir}: no such directory; the IG packages are looked for in ${rest.join(', ')} only (nothing is downloaded while --packages is given)`;
}

/** The registry base URL without a trailing slash: the given one, else $FHIRSEED_PACKAGE_REGISTRY, else packages.fhir.org. */
export function packageRegistry(registry?: string): string {
  return (registry ?? process.env.FHIRSEED_PACKAGE_REGISTRY ?? DEFAULT_PACKAGE_REGISTRY).replace(/\/+$/, '');
}

/**
 * Why missing packages are not downloaded, or undefined when they may be: a package directory is
 * named (`--packages` or $FHIRSEED_PACKAGES means "use these"), or $FHIRSEED_OFFLINE is set. `packagesName`: how the
 * given directory is named (the CLI's `--packages`, createValidator's `options.packagesDir`).
 */
export function downloadSkipReason(packagesDir?: string, offline?: boolean, packagesName = '--packages'): string | undefined {
  if (packagesDir) return `${packagesName} is given`;
  if (process.env.FHIRSEED_PACKAGES) return '$FHIRSEED_PACKAGES is set';
  if (offline ?? Boolean(process.env.FHIRSEED_OFFLINE)) return '$FHIRSEED_OFFLINE is set';
  return undefined;
}

/**
 * The indented second line of a missing-package error: the three ways to provide the packages, the first named as
 * `packagesName` (the CLI's `--packages`, shown `--packages DIR`; a library caller's `options.packagesDir`).
 */
export function packagesHint(packagesName = '--packages'): string {
  return (
    `  Provide the IG packages (<name>#<version>.tgz files or <name>#<version>/package/ folders) with ${packagesName}${packagesName.startsWith('--') ? ' DIR' : ''}, ` +
    'with FHIRSEED_PACKAGES=DIR, or in ~/.fhir/packages (see README, "Set-up")'
  );
}

/** The CLI's packagesHint: `… with --packages DIR, …`. */
export const PACKAGES_HINT = packagesHint();

/** One failed registry download: the package, the URL tried and why it failed. */
export interface DownloadAttempt {
  key: string;
  url: string;
  problem: string;
}

/**
 * The UserError (exit 2) for named IG packages that are nowhere to be had: one line naming the packages,
 * each directory looked in and the registry URL tried with why it failed (or why nothing was
 * downloaded), then the hint line (packagesHint, naming the directory as `packagesName`). `validate`, `serve --validate`
 * and the sandbox's note all use it.
 */
export function missingPackagesError(
  keys: string[],
  dirs: string[],
  download: { attempts: DownloadAttempt[]; registry: string } | { skipped?: string },
  packagesName = '--packages',
): UserError {
  const what = keys.length === 1 ? `FHIR package ${keys[0]}` : `FHIR packages ${keys.join(', ')}`;
  let registryPart = '';
  if ('attempts' in download && download.attempts.length) {
    const problems = new Set(download.attempts.map((a) => a.problem));
    registryPart =
      download.attempts.length === 1
        ? `; download from ${download.attempts[0]!.url} failed: ${download.attempts[0]!.problem}`
        : problems.size === 1
          ? `; download from ${download.registry} failed: ${[...problems][0]}`
          : `; download failed: ${download.attempts.map((a) => `${a.url}: ${a.problem}`).join('; ')}`;
  } else if ('skipped' in download && download.skipped) {
    registryPart = `; not downloaded, as ${download.skipped}`;
  }
  return new UserError(`${what} not found. Looked in ${dirs.join(', ')}${registryPart}\n${packagesHint(packagesName)}`);
}

/** A fetch failure in words: connection refused, host not found, timed out… with the system code. */
export function describeFetchError(error: unknown, connectTimeoutMs: number): string {
  const e = error as { name?: string; message?: string; cause?: { code?: string; message?: string; name?: string } };
  const code = e.cause?.code ?? (e as { code?: string }).code;
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'no answer in time';
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused (ECONNREFUSED)';
    case 'ENOTFOUND':
      return 'host not found (ENOTFOUND: no network or DNS?)';
    case 'EAI_AGAIN':
      return 'DNS lookup failed (EAI_AGAIN: no network?)';
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `no connection within ${connectTimeoutMs / 1000} s (no network?)`;
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
      return 'the registry stopped answering';
    case 'ENETUNREACH':
    case 'EHOSTUNREACH':
      return `network unreachable (${code})`;
    default:
      return [e.message, e.cause?.message].filter(Boolean).join(': ') + (code ? ` (${code})` : '');
  }
}
