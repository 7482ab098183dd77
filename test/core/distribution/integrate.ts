/** Adaptive Simpson quadrature on [a, b], to an absolute tolerance: the tests' independent referee. */
export function integrate(f: (x: number) => number, a: number, b: number, tolerance = 1e-13): number {
  const fa = f(a);
  const fb = f(b);
  const m = (a + b) / 2;
  const fm = f(m);
  return simpson(f, a, b, fa, fm, fb, ((b - a) / 6) * (fa + 4 * fm + fb), tolerance, 60);
}

function simpson(
  f: (x: number) => number,
  a: number,
  b: number,
  fa: number,
  fm: number,
  fb: number,
  whole: number,
  tolerance: number,
  depth: number,
): number {
  const m = (a + b) / 2;
  const lm = (a + m) / 2;
  const rm = (m + b) / 2;
  const flm = f(lm);
  const frm = f(rm);
  const left = ((m - a) / 6) * (fa + 4 * flm + fm);
  const right = ((b - m) / 6) * (fm + 4 * frm + fb);
  const delta = left + right - whole;
  if (depth <= 0 || Math.abs(delta) <= 15 * tolerance) return left + right + delta / 15;
  return (
    simpson(f, a, m, fa, flm, fm, left, tolerance / 2, depth - 1) +
    simpson(f, m, b, fm, frm, fb, right, tolerance / 2, depth - 1)
  );
}

/**
 * ∫ g over [from, ∞) by x = from + width · t / (1 - t), so the tail becomes a finite interval; `width`
 * is the scale of the integrand, so the first samples land where its mass is.
 */
export function integrateToInfinity(
  g: (x: number) => number,
  from: number,
  width: number,
  tolerance = 1e-13,
): number {
  return integrate(
    (t) => (t >= 1 ? 0 : (width * g(from + (width * t) / (1 - t))) / ((1 - t) * (1 - t))),
    0,
    1,
    tolerance,
  );
}

/** CRPS by its definition: ∫ (F(x) - 1{x >= y})² dx over the real line. */
export function crpsByIntegration(cdf: (x: number) => number, y: number, width: number): number {
  const below = integrateToInfinity((x) => cdf(2 * y - x) ** 2, y, width);
  const above = integrateToInfinity((x) => (1 - cdf(x)) ** 2, y, width);
  return below + above;
}
