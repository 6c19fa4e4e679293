import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ValidateFunction } from 'ajv';
import { profileSchema } from './schema.js';

// ajv is CommonJS: required only when the validator is compiled here, so that a built run does not load it.
const require = createRequire(import.meta.url);

/** How the profile schema is checked (src/profile/load.ts words the first error): stop at the first error, with its data and schema. */
const AJV_OPTIONS = { allErrors: false, strict: false, verbose: true } as const;

/**
 * The profile schema's validator as ajv standalone code, beside this module in dist/ (`npm run build` writes it:
 * scripts/profile-validator.mjs). Loading it takes ~35 ms where importing ajv and compiling the schema takes ~220 ms
 * and a quarter of a CPU-second, at every start of `generate` (issue 13). There is none beside the TypeScript sources
 * (vitest), nor after a bare `tsc`: the schema is compiled then.
 */
export const STANDALONE_FILE = fileURLToPath(new URL('./profile-validator.cjs', import.meta.url));

/**
 * What the standalone code was made from: a SHA-256 (hex) of ajv's version, the options and the schema's JSON. A
 * file made from another schema (a build older than the sources) is not used.
 */
export function schemaKey(): string {
  const { version } = require('ajv/package.json') as { version: string };
  return createHash('sha256').update(JSON.stringify([version, AJV_OPTIONS, profileSchema])).digest('hex');
}

/**
 * The profile schema's validator: the standalone code in `file` (default STANDALONE_FILE) when it was made from
 * this schema (`standalone: true`), else the schema compiled by ajv now. Both report the same errors (ajv's
 * ErrorObject with `data` and `parentSchema`; a standalone `parentSchema` is a copy, not the schema.ts object).
 */
export function profileValidator(file = STANDALONE_FILE): { validate: ValidateFunction; standalone: boolean } {
  if (existsSync(file)) {
    const built = require(file) as ValidateFunction & { schemaKey?: string };
    if (typeof built === 'function' && built.schemaKey === schemaKey()) return { validate: built, standalone: true };
  }
  const { Ajv } = require('ajv') as typeof import('ajv');
  return { validate: new Ajv(AJV_OPTIONS).compile(profileSchema), standalone: false };
}

/** The standalone validator module (CommonJS, with its `schemaKey`), as ajv's standalone code makes it from the schema. */
export function standaloneValidatorCode(): string {
  const { Ajv } = require('ajv') as typeof import('ajv');
  const standaloneCode = require('ajv/dist/standalone') as typeof import('ajv/dist/standalone/index.js').default;
  const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true } });
  const code = standaloneCode(ajv, ajv.compile(profileSchema));
  return `// Made by scripts/profile-validator.mjs from src/profile/schema.ts (ajv standalone code); do not edit.\n${code}\nmodule.exports.schemaKey = ${JSON.stringify(schemaKey())};\n`;
}
