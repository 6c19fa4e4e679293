import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CodeMaps } from '../codemaps/types.js';
import { UserError } from '../util/errors.js';
import { buildMappingGuide } from './model.js';
import { guideHtml, guideMarkdown } from './render.js';

export { buildMappingGuide, type MappingGuide } from './model.js';
export { guideHtml, guideMarkdown } from './render.js';

/** File names the guide is written as, in its directory. */
export const GUIDE_FILES = { markdown: 'mapping-guide.md', html: 'mapping-guide.html' } as const;

/**
 * Writes mapping-guide.md and mapping-guide.html into `dir` (made when missing; its parent must exist). Throws UserError
 * `--out DIR: the folder PARENT does not exist …` for a missing parent, `--out DIR: cannot write (CODE)` when the
 * directory cannot be made or written otherwise.
 */
export function writeMappingGuide(maps: CodeMaps, dir: string): { markdown: string; html: string } {
  const guide = buildMappingGuide(maps);
  const files = { markdown: join(dir, GUIDE_FILES.markdown), html: join(dir, GUIDE_FILES.html) };
  try {
    // Only the last level is made (its parent must exist): a recursive mkdir under /proc never returns on Linux.
    if (!existsSync(dir)) mkdirSync(dir);
    writeFileSync(files.markdown, guideMarkdown(guide));
    writeFileSync(files.html, guideHtml(guide));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // The only level not made: a missing parent is the likely mistake (a typo, or --out a/b/c on a fresh machine).
    if (code === 'ENOENT' && !existsSync(dirname(dir))) throw new UserError(`--out ${dir}: the folder ${dirname(dir)} does not exist (only the last level of --out is made)`);
    throw new UserError(`--out ${dir}: cannot write (${code ?? (error as Error).message})`);
  }
  return files;
}
