import { ERROR_CODES, HttpError, badRequest } from '../http-errors.js';

/**
 * What a JSON request body may be, checked before it is parsed. The API's bodies are one flat object
 * of a few short fields; API Gateway lets up to 10 MB through, and a body of 200,000 keys or 20,000
 * levels of nesting costs the function seconds and memory (and once made a 3.4 MB error message).
 */
export const BODY_LIMITS = {
  /** Bytes of the decoded body: a hundred times what `{"currency":"BTC","compare":"USDT"}` needs. */
  bytes: 4 * 1024,
  /** Levels of objects and arrays, the body itself being the first. */
  depth: 4,
  /** Keys in all the body's objects together. */
  keys: 32,
} as const;

export type BodyLimits = { readonly [K in keyof typeof BODY_LIMITS]: number };

/** The body as text, refused with 413 when it is over `limits.bytes` (checked before decoding). */
export function boundedBodyText(
  body: string,
  isBase64Encoded: boolean,
  limits: BodyLimits = BODY_LIMITS,
): string {
  // base64 holds 3 bytes in 4 characters; a UTF-8 string is at least as many bytes as characters.
  const atLeast = isBase64Encoded ? Math.floor((body.length * 3) / 4) - 2 : body.length;
  if (atLeast > limits.bytes) throw tooLarge(limits);
  const text = isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
  if (Buffer.byteLength(text, 'utf8') > limits.bytes) throw tooLarge(limits);
  return text;
}

/**
 * Refuses JSON text nested deeper than `limits.depth` or with more than `limits.keys` keys, in one pass
 * over the characters (strings skipped), before JSON.parse builds anything.
 */
export function checkJsonShape(text: string, limits: BodyLimits = BODY_LIMITS): void {
  let depth = 0;
  let keys = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > limits.depth) {
        throw badRequest('body', `nested more than ${limits.depth} levels deep; send a flat JSON object`);
      }
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    } else if (c === 0x3a /* : */) {
      // Outside strings, a colon ends a key, in valid JSON; invalid JSON is refused by JSON.parse after.
      if (++keys > limits.keys) {
        throw badRequest('body', `more than ${limits.keys} keys; send only the parameters of the request`);
      }
    }
  }
}

function tooLarge(limits: BodyLimits): HttpError {
  return new HttpError(
    413,
    ERROR_CODES.payloadTooLarge,
    `body: over ${limits.bytes} bytes; send a JSON object such as {"currency":"BTC","compare":"USDT"}`,
    { details: { field: 'body' } },
  );
}
