import type { Duplex } from "node:stream";
import { type AppError, Errors } from "../errors";

/**
 * What Node's HTTP parser refuses before any door sees it (oversized headers, a bad
 * Content-Length or chunk, a request that did not arrive in time) is answered with the
 * protocol's JSON envelope too, never an empty body; the status stays 4xx and the
 * connection is closed.
 */

const STATUS: Record<string, [number, string, () => AppError]> = {
  HPE_HEADER_OVERFLOW: [431, "Request Header Fields Too Large", Errors.headersTooLarge],
  ERR_HTTP_REQUEST_TIMEOUT: [408, "Request Timeout", Errors.bodyTimeout],
};
const MALFORMED: [number, string, () => AppError] = [400, "Bad Request", Errors.malformedHttp];

export function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === "ECONNRESET" || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, reason, appError] = STATUS[error.code ?? ""] ?? MALFORMED;
  const { code, info } = appError();
  const body = JSON.stringify({ errorCode: code, errorInfo: info });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}
