import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from './errors.js';

const PACKAGES_FOLDER = 'the folder holding the <name>#<version>.tgz files or <name>#<version>/package/ folders';
const STATE_FOLDER = 'a folder for the registered clients, clients.json';
/** What each directory option takes, by the CLI's name and the library's (serve/startup-checks.ts ServeOptionNames). */
const DIRECTORY_OF: Record<string, string> = {
  '--packages': PACKAGES_FOLDER,
  'options.packagesDir': PACKAGES_FOLDER,
  '--state-dir': STATE_FOLDER,
  'options.auth.registration.stateDir': STATE_FOLDER,
};

/**
 * A directory option's path (`--packages DIR`, `--state-dir DIR`) as far as it can be told without reading it:
 * UserError `OPTION PATH: is a file, not a directory (…)` when it is a file or lies under one (it would otherwise be
 * told late, or never: packages "not found", a registration failing). A path that does not exist passes: --packages of
 * nothing serves without the IG packages (validate/package-sources.ts packagesDirNote says so in validate, report
 * --validate and serve), and the state directory is made at the first registration.
 */
export function assertDirectoryOption(option: string, path: string): void {
  const want = DIRECTORY_OF[option] ? ` (${option} takes ${DIRECTORY_OF[option]})` : '';
  for (let at = path; ; at = dirname(at)) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(at).isDirectory();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((code === 'ENOENT' || code === 'ENOTDIR') && dirname(at) !== at) continue;
      if (code === 'ENOENT') return;
      throw new UserError(`${option} ${path}: cannot read it (${code ?? (error as Error).message})`);
    }
    if (isDirectory) return;
    throw new UserError(`${option} ${path}: ${at === path ? 'is a file' : `${at} is a file`}, not a directory${want}`);
  }
}

