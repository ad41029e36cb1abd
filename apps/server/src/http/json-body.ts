/**
 * The one way a request body becomes a value. Fastify has already refused a
 * body over the size limit before this runs; here the nesting depth is
 * checked by a linear scan of the text before anything parses it (so no
 * recursion ever sees a pathological body), then Fastify's own safe parser
 * turns it into a value, refusing `__proto__` and `constructor.prototype`
 * keys. No request body in this API nests deeper than a few levels.
 */
import type { FastifyInstance } from 'fastify';
import { ApiProblem } from '../errors.ts';

export const BODY_LIMIT_BYTES = 64 * 1024;
export const BODY_MAX_DEPTH = 8;

/** Depth of the deepest array/object in JSON text (brackets inside strings do not count). */
export function jsonNestingDepth(text: string, stopAbove = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      depth++;
      if (depth > max) {
        max = depth;
        if (max > stopAbove) return max;
      }
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) depth--;
  }
  return max;
}

export function registerJsonBodyParser(app: FastifyInstance): void {
  const safeParse = app.getDefaultJsonParser('error', 'error');
  // JSON is the body this API takes (but a recording's bytes to POST /replay/open, register-replay.ts):
  // anything else is 415, not a string for a schema to puzzle over
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: BODY_LIMIT_BYTES }, (req, body, done) => {
    const text = body as string;
    // an empty body is no body: clients post body-less actions with a JSON content type
    if (text.trim() === '') return done(null, undefined);
    if (jsonNestingDepth(text, BODY_MAX_DEPTH) > BODY_MAX_DEPTH) {
      return done(new ApiProblem('EVALIDATION', `body nests deeper than ${BODY_MAX_DEPTH} levels`, 'body'), undefined);
    }
    safeParse(req, text, (err, value) => {
      if (err) return done(new ApiProblem('EVALIDATION', `body is not valid JSON: ${err.message}`, 'body'), undefined);
      done(null, value);
    });
  });
}
