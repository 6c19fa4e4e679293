import { parseProfile, type LoadOptions } from '../../src/profile/load.js';
import { ProfileError } from '../../src/util/errors.js';

/** The ProfileError that parsing `text` (as `bad.yaml`) throws; fails the test when it parses or throws another error. */
export function profileErrorOf(text: string, options: LoadOptions): ProfileError {
  try {
    parseProfile(text, 'bad.yaml', options);
  } catch (error) {
    if (error instanceof ProfileError) return error;
    throw error;
  }
  throw new Error('expected a ProfileError');
}
