import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import { OperationOutcomeError } from '@medplum/core';
import { UserError } from '../util/errors.js';

/**
 * Default request body limit of `serve` (--max-body): 32 MiB. The seeder sends transactions of at most
 * 100 entries (DEFAULT_BUNDLE_SIZE in src/seed/options.ts); the largest generated resource, an EOB of a
 * long inpatient stay, is near 120 kB, so its largest transaction is near 12 MB. Larger --bundle-size
 * runs get a 413, on which the seeder halves its bundles (src/seed/send.ts).
 */
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

/** A request body over the limit: answered 413 with an OperationOutcome (code too-costly). */
export class BodyTooLargeError extends OperationOutcomeError {
  constructor(readonly limit: number, declared?: number) {
    super({
      resourceType: 'OperationOutcome',
      issue: [{
        severity: 'error',
        code: 'too-costly',
        details: { text: `request body ${declared === undefined ? 'is larger than' : `of ${declared} bytes is larger than`} this server's limit of ${limit} bytes (serve --max-body)` },
      }],
    });
  }
}

/**
 * Reads a request body of at most `limit` bytes. A Content-Length over the limit is refused before any
 * byte is read; a chunked (or lying) body is cut off as soon as it passes the limit, the rest left unread.
 * @throws BodyTooLargeError (413), or the stream's own error.
 */
export function readLimitedBody(req: IncomingMessage | Readable, limit: number): Promise<Buffer> {
  const declared = Number((req as IncomingMessage).headers?.['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyTooLargeError(limit, declared));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      stop();
      // Paused, not destroyed: destroying the request would close the socket before the 413 is sent.
      req.pause();
      chunks.length = 0;
      reject(new BodyTooLargeError(limit));
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks));
    };
    const onError = (error: Error) => {
      stop();
      reject(error);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/**
 * Parses `--max-body`: bytes, or a number with kB, MB or GB (powers of 1024; `32MB`, `512kb`, `1.5gb`).
 * @throws UserError when it is not such a size or is 0.
 */
export function parseByteSize(option: string, text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|k|mb|m|gb|g)?\s*$/i.exec(text);
  const unit = (match?.[2] ?? 'b').toLowerCase()[0] as 'b' | 'k' | 'm' | 'g';
  const bytes = match ? Math.floor(Number(match[1]) * { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[unit]) : NaN;
  if (!Number.isFinite(bytes) || bytes < 1) throw new UserError(`${option}: '${text}' is not a size (bytes, or with kB, MB or GB: 32MB)`);
  return bytes;
}
