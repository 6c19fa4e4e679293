import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/util/errors.js';
import { loadPackages, packageSearchDirs, parseIg } from '../../src/validate/packages.js';
import { createValidator } from '../../src/validate/validator.js';
import { SHARED_PACKAGES } from '../helpers/packages.js';

describe('FHIR package loading', () => {
  it('should read short and full IG names', () => {
    expect(parseIg('carin-bb@2.0.0')).toEqual({ name: 'hl7.fhir.us.carin-bb', version: '2.0.0' });
    expect(parseIg('hl7.fhir.us.core#6.1.0')).toEqual({ name: 'hl7.fhir.us.core', version: '6.1.0' });
    expect(() => parseIg('carin-bb')).toThrow(UserError);
  });

  it('should follow dependencies and note the ones it skips or cannot find', () => {
    const { packages, warnings } = loadPackages(['carin-bb@2.0.0'], SHARED_PACKAGES);
    expect(packages.map((p) => `${p.name}#${p.version}`)).toEqual(['hl7.fhir.us.carin-bb#2.0.0', 'hl7.fhir.us.core#3.1.1']);
    expect(warnings.some((w) => w.startsWith('hl7.fhir.r4.core#4.0.1'))).toBe(true);
    expect(warnings.some((w) => w.startsWith('us.nlm.vsac#0.7.0') && w.includes('not found'))).toBe(true);
  });

  it('should fail with one line naming the package and the places looked, and one hint line, when a named IG is missing', async () => {
    const attempt = createValidator({ packagesDir: SHARED_PACKAGES, igs: ['carin-bb@9.9.9'] });
    await expect(attempt).rejects.toThrow(UserError);
    const message = await attempt.then(() => '', (e: Error) => e.message);
    const [line, hint, ...rest] = message.split('\n');
    expect(rest).toEqual([]);
    expect(line).toContain('hl7.fhir.us.carin-bb#9.9.9');
    expect(line).toContain(`Looked in ${packageSearchDirs(SHARED_PACKAGES).join(', ')};`);
    expect(hint).toMatch(/^ {2}Provide the IG packages/);
  });

  it('should look in --packages, then $FHIRSEED_PACKAGES, then ~/.fhir/packages', () => {
    const saved = { home: process.env.HOME, packages: process.env.FHIRSEED_PACKAGES };
    try {
      process.env.HOME = '/home/someone';
      process.env.FHIRSEED_PACKAGES = '/srv/packages';
      expect(packageSearchDirs('/given')).toEqual(['/given', '/srv/packages', '/home/someone/.fhir/packages']);
      delete process.env.FHIRSEED_PACKAGES;
      expect(packageSearchDirs()).toEqual(['/home/someone/.fhir/packages']);
    } finally {
      process.env.HOME = saved.home;
      if (saved.packages === undefined) delete process.env.FHIRSEED_PACKAGES;
      else process.env.FHIRSEED_PACKAGES = saved.packages;
    }
  });
});
