import * as z from 'zod';
/**
 * The API's request schemas (one module per kind of schema, so a handler loads only its own). Handlers validate requests and their own responses with
 * these, and openapi.ts builds /openapi.json from these same objects, so the document cannot drift
 * from what is enforced.
 */

const required = (what: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? `required (${what})` : `expected text (${what})`;

/** A currency code, case-insensitive, upper-cased; `what` says which in messages. */
export const currency = (what: string) =>
  z
    .string({ error: required(what) })
    .regex(/^[A-Za-z0-9]{2,12}$/, `expected 2 to 12 letters or digits (${what})`)
    .transform((value) => value.toUpperCase());

/** Extras a prediction can carry, asked for with `include`. */
export const PREDICT_INCLUDES = ['candles'] as const;

const include = z
  .string({ error: `expected text, a comma-separated list of: ${PREDICT_INCLUDES.join(', ')}` })
  .transform((value, ctx) => {
    const items = value
      .split(',')
      .map((item) => item.trim().toLowerCase())
      .filter((item) => item !== '');
    const allowed: readonly string[] = PREDICT_INCLUDES;
    for (const item of items) {
      if (!allowed.includes(item)) {
        ctx.addIssue({
          code: 'custom',
          message: `unknown value "${item}"; allowed: ${PREDICT_INCLUDES.join(', ')}`,
        });
        return z.NEVER;
      }
    }
    return items as (typeof PREDICT_INCLUDES)[number][];
  });

/** A pair as two currencies, as /predict and /heldout take it. */
export const PAIR_FIELDS = {
  currency: currency('the base currency, for example BTC').meta({
    description: 'Base currency, case-insensitive: 2 to 12 letters or digits.',
    examples: ['BTC'],
  }),
  compare: currency('the quote currency, for example USDT').meta({
    description: 'Quote currency, case-insensitive: 2 to 12 letters or digits.',
    examples: ['USDT'],
  }),
};

/**
 * GET and PUT /predict: the pair as two currencies, case-insensitive (`btc` and `BTC` are the same).
 * Unknown parameters are refused, so that a misspelt one is reported instead of silently ignored.
 */
export const PredictRequestSchema = z
  .strictObject({
    ...PAIR_FIELDS,
    include: include.optional().meta({
      description: `Extras, comma-separated: ${PREDICT_INCLUDES.join(', ')} (the window of candles the model read).`,
      examples: ['candles'],
    }),
  })
  .meta({ description: 'Which pair to predict; the same fields in the query string or a PUT body.' });

export type PredictRequest = z.output<typeof PredictRequestSchema>;

/** Requests that take no parameters refuse any, for the same reason. */
export const NoParametersSchema = z.strictObject({});
