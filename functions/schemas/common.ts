import * as z from 'zod';

/** Pieces every response schema uses. */
export const isoTime = z.iso.datetime().meta({ description: 'UTC, ISO 8601' });
/** JSON has no Infinity: a skill of -Infinity (naive MAE of 0) is sent as null. */
export const finiteOrNull = z.number().nullable();

export const pair = z.string().meta({ description: 'BASE/QUOTE', examples: ['BTC/USDT'] });
