import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';

/** Node's largest request head (request line and headers together), `--max-http-header-size`: 16 KiB by default. */
const HEADER_LIMIT_TEXT = '16 KiB';

/**
 * Answers requests Node refuses before the handler sees them (http server `clientError`): a request head larger than
 * Node's limit is a 431 with an OperationOutcome naming the limit, and CORS headers (`*`, or the request's Origin
 * when it is among `origins` and Node had read it), so a browser app reads the answer instead of an opaque network
 * error; other malformed requests keep Node's answers (400, 408 for a timeout), then the connection closes.
 */
export function answerClientErrors(server: Server, origins: '*' | string[] = '*'): void {
  server.on('clientError', (error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex) => {
    if (!socket.writable || (socket as { _httpMessage?: unknown })._httpMessage) return void socket.destroy();
    if (error.code === 'ECONNRESET') return void socket.destroy();
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const text =
      status === 431
        ? `the request line and headers are larger than this server reads (${HEADER_LIMIT_TEXT}); send a long search as POST [type]/_search with the parameters in the body`
        : status === 408
          ? 'the request was not received in time'
          : `malformed HTTP request (${error.code ?? error.message})`;
    const body = JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: status === 408 ? 'timeout' : status === 431 ? 'too-long' : 'structure', diagnostics: text }] });
    const origin = allowedOrigin(error.rawPacket, origins);
    const head = [
      `HTTP/1.1 ${status} ${REASONS[status]}`,
      'Content-Type: application/fhir+json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      ...(origin ? [`Access-Control-Allow-Origin: ${origin}`, ...(origin === '*' ? [] : ['Vary: Origin'])] : []),
      'Connection: close',
    ];
    socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
  });
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/** `*`, or the request's Origin when it is allowed and within what Node read of the request (`rawPacket`). */
function allowedOrigin(raw: Buffer | undefined, origins: '*' | string[]): string | undefined {
  if (origins === '*') return '*';
  const origin = raw && /\r\norigin:[ \t]*([^\r\n]*?)[ \t]*\r\n/i.exec(raw.toString('latin1'))?.[1];
  return origin && origins.includes(origin) ? origin : undefined;
}
