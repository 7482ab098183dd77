import type * as z from 'zod';
import { PairSchema, type Pair } from '../../core/market/pair.js';
import { issueLines } from '../../core/validation/issues.js';
import { ManifestError } from './errors.js';

/** A JSON document as the store writes it: indented, with a final newline. */
export function encodeJson(value: unknown): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
}

/** UTF-8 JSON checked against `schema`; ManifestError naming the key and every problem otherwise. */
export function parseJson<T>(key: string, bytes: Uint8Array, schema: z.ZodType<T>): T {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw new ManifestError(
      key,
      [`not valid UTF-8 JSON (${error instanceof Error ? error.message : String(error)})`],
      { cause: error },
    );
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new ManifestError(key, issueLines(parsed.error));
  }
  return parsed.data;
}

/** The pair, or RangeError: a pair names a folder, so a malformed one must never reach a key. */
export function checkPair(pair: Pair): Pair {
  if (!PairSchema.safeParse(pair).success) {
    throw new RangeError(`Invalid pair "${pair}": expected BASE/QUOTE in capitals, for example BTC/USDT`);
  }
  return pair;
}
