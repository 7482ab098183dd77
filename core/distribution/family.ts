import * as z from 'zod';

/**
 * The shape of the next hour's log-return distribution. Every family here is parametrised by its
 * location and its standard deviation (a Student-t is scaled to unit variance, so it needs nu > 2):
 * the scale a model serves is a standard deviation whatever the family, and `sigma_B1 x exp(output)`
 * means the same thing for a Gaussian and a Student-t; switching family changes only the tails.
 */
export const FamilySpecSchema = z.discriminatedUnion('name', [
  z.strictObject({ name: z.literal('gaussian') }),
  z.strictObject({
    name: z.literal('student_t'),
    /** Degrees of freedom; above 2 so that the variance, hence the unit-variance scaling, exists. */
    nu: z.number().gt(2).max(1e6),
  }),
]);

export type FamilySpec = z.infer<typeof FamilySpecSchema>;

/** A family standardised to mean 0 and variance 1; `z` is (y - location) / sd. */
export interface UnitFamily {
  readonly spec: FamilySpec;
  pdf(z: number): number;
  logPdf(z: number): number;
  cdf(z: number): number;
  /** The inverse of cdf; -Infinity at 0 and Infinity at 1. */
  quantile(p: number): number;
  /** CRPS of the unit distribution at the outcome z (closed form). */
  crps(z: number): number;
}

export const GAUSSIAN: FamilySpec = Object.freeze({ name: 'gaussian' });
