import type { UnitFamily } from './family.js';
import { normalQuantile } from './gaussian.js';
import { invertIncreasing, logBeta, logGamma, regularizedBeta } from './special.js';

/**
 * The Student-t with `nu` degrees of freedom, scaled to unit variance: Z = T · √((nu - 2) / nu)
 * with T a standard t. Built from the standard t's pdf, cdf (regularized incomplete beta) and the
 * closed-form CRPS of Thorarinsdottir & Gneiting (2010), as scoringRules' crps_t computes it:
 *   CRPS(t_nu, t) = t(2F(t) - 1) + 2 f(t) (nu + t²)/(nu - 1) - 2√nu B(1/2, nu - 1/2) / ((nu - 1) B(1/2, nu/2)²).
 */
export function unitStudentT(nu: number): UnitFamily {
  if (!(nu > 2) || !Number.isFinite(nu)) {
    throw new RangeError(`A unit-variance Student-t needs finite degrees of freedom above 2, got ${nu}`);
  }
  const s = Math.sqrt((nu - 2) / nu);
  const logNorm = logGamma((nu + 1) / 2) - logGamma(nu / 2) - 0.5 * Math.log(nu * Math.PI);
  const crpsConstant =
    (2 * Math.sqrt(nu) * Math.exp(logBeta(0.5, nu - 0.5) - 2 * logBeta(0.5, nu / 2))) / (nu - 1);

  const logPdfT = (t: number): number => logNorm - ((nu + 1) / 2) * Math.log1p((t * t) / nu);
  const pdfT = (t: number): number => Math.exp(logPdfT(t));
  const cdfT = (t: number): number => {
    const t2 = t * t;
    // Near the centre I over t²/(nu+t²) keeps precision; in the tails, I over nu/(nu+t²) does.
    if (t2 < nu) {
      const half = 0.5 * regularizedBeta(t2 / (nu + t2), 0.5, nu / 2);
      return t < 0 ? 0.5 - half : 0.5 + half;
    }
    const tail = 0.5 * regularizedBeta(nu / (nu + t2), nu / 2, 0.5);
    return t < 0 ? tail : 1 - tail;
  };
  // Solved in the lower tail, where p and the cdf keep their relative precision; the upper half by
  // symmetry, since 1 - p is exact for p >= 0.5.
  const lowerQuantileT = (p: number): number => {
    let lo = Math.min(-1, normalQuantile(p));
    while (cdfT(lo) > p) lo *= 2;
    return invertIncreasing(cdfT, pdfT, p, lo / 2, [lo, 0]);
  };
  const quantileT = (p: number): number => {
    if (!(p >= 0 && p <= 1)) throw new RangeError(`A probability is in [0, 1], got ${p}`);
    if (p === 0) return -Infinity;
    if (p === 1) return Infinity;
    if (p === 0.5) return 0;
    return p < 0.5 ? lowerQuantileT(p) : -lowerQuantileT(1 - p);
  };
  const crpsT = (t: number): number =>
    t * (2 * cdfT(t) - 1) + (2 * pdfT(t) * (nu + t * t)) / (nu - 1) - crpsConstant;

  return Object.freeze({
    spec: Object.freeze({ name: 'student_t' as const, nu }),
    pdf: (z: number) => pdfT(z / s) / s,
    logPdf: (z: number) => logPdfT(z / s) - Math.log(s),
    cdf: (z: number) => cdfT(z / s),
    quantile: (p: number) => s * quantileT(p),
    crps: (z: number) => s * crpsT(z / s),
  });
}
