#!/usr/bin/env node
// Part of `npm run build`, after tsc: writes the shipped profiles as the yaml library parses them beside the built
// loader (dist/src/profile/shipped-profiles.json), which `generate` then reads for a shipped profile's text instead of
// parsing its YAML (~3 ms instead of 240–310 ms; issue 13). Without it (a bare tsc, vitest from src/) every profile is
// parsed at start.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PREBUILT_FILE, prebuiltProfiles } from '../dist/src/profile/prebuilt.js';
import { packageRoot } from '../dist/src/util/paths.js';

writeFileSync(PREBUILT_FILE, `${JSON.stringify(prebuiltProfiles(join(packageRoot(), 'profiles')))}\n`);
