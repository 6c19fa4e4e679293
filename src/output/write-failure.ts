import { UserError } from '../util/errors.js';

/** The file-system errors that say the place written to cannot take the output: the environment's, not fhirseed's. */
const ENVIRONMENT: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exceeded',
  EFBIG: 'a file grew past the size limit (ulimit -f, or the file system)',
  EROFS: 'the file system is read-only',
  EIO: 'an input/output error on the device',
};

/**
 * What a failed run throws once its temporary directory is removed: a full disk, an exceeded quota or
 * file-size limit, a read-only or failing device (`error.code` ENOSPC, EDQUOT, EFBIG, EROFS, EIO) becomes
 * a UserError (one line, exit 2) naming `out`; any other error is returned as it is (a bug: exit 70).
 */
export function writeFailure(error: unknown, out: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string' || !Object.hasOwn(ENVIRONMENT, code)) return error;
  return new UserError(`cannot write the output for ${out}: ${ENVIRONMENT[code]} (${code}); removed the partial output, ${out} is as it was`);
}
