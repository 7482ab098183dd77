import type { FamilySpec, UnitFamily } from './family.js';
import { unitGaussian } from './gaussian.js';
import { unitStudentT } from './student-t.js';

/** The unit-variance family of a spec. */
export function unitFamily(spec: FamilySpec): UnitFamily {
  return spec.name === 'gaussian' ? unitGaussian : unitStudentT(spec.nu);
}

/**
 * One predictive distribution of the next log return: `mu` its location, `sigma` its standard
 * deviation, both in log-return units (0.001 is 10 bp).
 */
export interface Predictive {
  readonly mu: number;
  readonly sigma: number;
}

export function pdf(family: UnitFamily, { mu, sigma }: Predictive, y: number): number {
  return family.pdf((y - mu) / sigma) / sigma;
}

export function cdf(family: UnitFamily, { mu, sigma }: Predictive, y: number): number {
  return family.cdf((y - mu) / sigma);
}

export function quantile(family: UnitFamily, { mu, sigma }: Predictive, p: number): number {
  return mu + sigma * family.quantile(p);
}

/** CRPS (lower is better), in the units of y: sigma · CRPS_unit((y - mu) / sigma). */
export function crps(family: UnitFamily, { mu, sigma }: Predictive, y: number): number {
  return sigma * family.crps((y - mu) / sigma);
}

/** Log score as a loss: -ln pdf(y) (lower is better). */
export function logScore(family: UnitFamily, { mu, sigma }: Predictive, y: number): number {
  return Math.log(sigma) - family.logPdf((y - mu) / sigma);
}

/**
 * d CRPS / d ln(sigma) at fixed mu: sigma · (c(z) - z c'(z)) with c the unit CRPS and
 * c'(z) = 2F(z) - 1 (true of every family), so a scale fitted by CRPS needs no family-specific code.
 */
export function crpsLogScaleGradient(family: UnitFamily, { mu, sigma }: Predictive, y: number): number {
  const z = (y - mu) / sigma;
  return sigma * (family.crps(z) - z * (2 * family.cdf(z) - 1));
}
