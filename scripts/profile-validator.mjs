#!/usr/bin/env node
// Part of `npm run build`, after tsc: writes the profile schema's validator as ajv standalone code beside the built
// loader (dist/src/profile/profile-validator.cjs), which `generate` then loads in ~35 ms instead of importing ajv and
// compiling the schema (~220 ms; issue 13). Without it (a bare tsc, vitest from src/) the schema is compiled at start.
import { writeFileSync } from 'node:fs';
import { STANDALONE_FILE, standaloneValidatorCode } from '../dist/src/profile/validator.js';

writeFileSync(STANDALONE_FILE, standaloneValidatorCode());
