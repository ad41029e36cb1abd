/**
 * The failures that happen before a request reaches a route — a URL whose
 * escapes do not decode (`/devices/%C0%AE%C0%AE/reset`), a parameter past
 * the router's length limit, and HTTP that Node's parser refuses outright —
 * answered in the same problem format as every other error, instead of
 * Fastify's and Node's own bodies.
 */
import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { problemBody } from '../errors.ts';
import { SECURITY_HEADERS } from './security-headers.ts';

export function frameworkErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  const status = err.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : 400;
  const what = err.code === 'FST_ERR_BAD_URL' ? 'is not a valid URL (a %-escape does not decode to UTF-8)' : err.message;
  const body = problemBody('EVALIDATION', err.code === 'FST_ERR_BAD_URL' ? `url ${what}` : what, 'url');
  req.problem = body.error;
  void reply.headers(SECURITY_HEADERS).status(status).send(body);
}

/** Node's own refusals (malformed request line, header overflow, timeouts), on the raw socket. */
export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'headers exceed the size limit']
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'the request was not received in time']
        : [400, `malformed HTTP request (${err.code ?? 'parse error'})`];
  answerRaw(socket, status, message, 'request');
}

/** CONNECT never reaches the router (Node hands it to a 'connect' listener or drops it): this is no proxy. */
export function refuseConnect(_req: unknown, socket: Socket): void {
  answerRaw(socket, 405, 'CONNECT: this server is not a proxy', 'method');
}

function answerRaw(socket: Socket, status: number, message: string, field: string): void {
  const body = JSON.stringify(problemBody('EVALIDATION', message, field));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json; charset=utf-8\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
