/**
 * fhirseed as a library: `import { … } from 'fhirseed'` (package.json `exports` "."). The CLI (src/cli) is a thin
 * shell over these. Every function throws rather than exits: `UserError` (one line saying what and where; its
 * `exitCode` is what the CLI would exit with, 2 for a mistake) and `ProfileError` (`file:line:column: field: problem`)
 * for bad input, `Interrupted` when an AbortSignal stops the work. Anything else thrown is a fhirseed bug.
 */

/** The code maps under the package's `code-maps/` (or `dir`): read once per directory, a broken table a UserError. */
export { loadCodeMaps } from './codemaps/load.js';
export type { CodeMaps } from './codemaps/types.js';

/** A profile file (`loadProfile`) or its YAML text (`parseProfile`), checked against `profileLoadOptions(codeMaps)`. */
export { loadProfile, parseProfile, type LoadOptions } from './profile/load.js';
export { profileLoadOptions } from './story/limits.js';
export type { Profile } from './profile/types.js';

/** Profile + seed → output directory (NDJSON, Bundles); the same bytes as `fhirseed generate`. */
export { generate, generateAsync, type GenerateOptions, type AsyncGenerateOptions, type Manifest } from './output/generate.js';

/** The validator over the IG packages (`fhirseed validate`): `createValidator(options)` then `validator.validate(resources)`. */
export { createValidator, DEFAULT_IGS, type Validator, type ValidatorOptions, type Issue } from './validate/validator.js';

/** Measures a population against realism targets (`fhirseed report --json`); `formatReport` is its text form. */
export { report, detailedReport, formatReport, type Report } from './report/index.js';

/** The embedded FHIR R4 sandbox (`fhirseed serve`): `startServer(options)` → `{ url, close() }`. */
export { startServer, type ServeOptions, type RunningServer } from './serve/index.js';

/** Loads an output directory into a FHIR server (`fhirseed seed`). */
export { seed, type SeedSummary } from './seed/seed.js';
export { defaultConnection, type SeedOptions, type ConnectionOptions } from './seed/options.js';

/** The errors fhirseed throws for what the user can mend. */
export { UserError, ProfileError, Interrupted } from './util/errors.js';
