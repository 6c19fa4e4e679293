import { missingTestPackages, testPackageDirs } from './packages.js';

/**
 * vitest globalSetup: the IG packages are checked once, before any test file runs, so that a missing
 * package is one clear failure naming the places looked instead of a hundred failing tests.
 */
export default function checkTestPackages(): void {
  const missing = missingTestPackages();
  if (!missing.length) return;
  throw new Error(
    `The tests need the FHIR packages ${missing.join(', ')}, found in none of ${testPackageDirs().join(', ')}. ` +
      'Put them (<name>#<version>.tgz files or <name>#<version>/package/ folders) in ~/.fhir/packages, or set ' +
      'FHIRSEED_PACKAGES to their directory (see README, "Set-up").',
  );
}
