/** What a smooth objective returns at a point: its value and gradient. */
export interface Evaluation {
  readonly value: number;
  readonly gradient: Float64Array;
}

export interface LbfgsOptions {
  readonly maxIterations?: number;
  /** Stop when the largest gradient component falls below this. */
  readonly gradientTolerance?: number;
  /** Pairs of steps and gradient changes kept for the inverse-Hessian estimate. */
  readonly memory?: number;
}

export interface LbfgsResult {
  readonly x: Float64Array;
  readonly value: number;
  readonly iterations: number;
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i += 1) sum += a[i]! * b[i]!;
  return sum;
}

/**
 * Minimises a smooth function by L-BFGS (Nocedal & Wright, algorithm 7.4) with a backtracking
 * Armijo line search: small enough to read, plenty for fits of a few dozen parameters.
 */
export function minimizeLbfgs(
  objective: (x: Float64Array) => Evaluation,
  start: ArrayLike<number>,
  options: LbfgsOptions = {},
): LbfgsResult {
  const maxIterations = options.maxIterations ?? 200;
  const tolerance = options.gradientTolerance ?? 1e-7;
  const memory = options.memory ?? 8;
  let x = Float64Array.from(start);
  let current = objective(x);
  const steps: Float64Array[] = [];
  const changes: Float64Array[] = [];
  let iteration = 0;
  for (; iteration < maxIterations; iteration += 1) {
    const g = current.gradient;
    if (Math.max(...Array.from(g, Math.abs)) < tolerance) break;
    // Two-loop recursion: direction = -H g.
    const q = Float64Array.from(g);
    const alphas: number[] = [];
    for (let k = steps.length - 1; k >= 0; k -= 1) {
      const alpha = dot(steps[k]!, q) / dot(changes[k]!, steps[k]!);
      alphas[k] = alpha;
      for (let i = 0; i < q.length; i += 1) q[i]! -= alpha * changes[k]![i]!;
    }
    const last = steps.length - 1;
    const gamma = last >= 0 ? dot(steps[last]!, changes[last]!) / dot(changes[last]!, changes[last]!) : 1;
    for (let i = 0; i < q.length; i += 1) q[i]! *= gamma;
    for (let k = 0; k < steps.length; k += 1) {
      const beta = dot(changes[k]!, q) / dot(changes[k]!, steps[k]!);
      for (let i = 0; i < q.length; i += 1) q[i]! += steps[k]![i]! * (alphas[k]! - beta);
    }
    let direction = q.map((v) => -v);
    let slope = dot(direction, g);
    if (!(slope < 0)) {
      // Not a descent direction (a bad curvature estimate): restart from steepest descent.
      steps.length = 0;
      changes.length = 0;
      direction = g.map((v) => -v);
      slope = dot(direction, g);
    }
    // Bisection for a step meeting the weak Wolfe conditions (sufficient decrease and curvature): the
    // curvature condition keeps s · y > 0, without which the inverse-Hessian estimate stops updating.
    let step = 1;
    let low = 0;
    let high = Infinity;
    let next: Evaluation | null = null;
    let candidate = x;
    for (let tries = 0; tries < 60; tries += 1) {
      const trial = x.map((v, i) => v + step * direction[i]!);
      const evaluation = objective(trial);
      if (!Number.isFinite(evaluation.value) || evaluation.value > current.value + 1e-4 * step * slope) {
        high = step;
      } else {
        next = evaluation;
        candidate = trial;
        if (dot(evaluation.gradient, direction) >= 0.9 * slope) break;
        low = step;
      }
      step = Number.isFinite(high) ? (low + high) / 2 : 2 * step;
    }
    if (next === null) break;
    const s = candidate.map((v, i) => v - x[i]!);
    const y = next.gradient.map((v, i) => v - g[i]!);
    if (dot(s, y) > 1e-12 * Math.sqrt(dot(s, s) * dot(y, y))) {
      steps.push(s);
      changes.push(y);
      if (steps.length > memory) {
        steps.shift();
        changes.shift();
      }
    }
    const improvement = current.value - next.value;
    x = candidate;
    current = next;
    if (improvement <= 1e-15 * Math.max(1, Math.abs(current.value))) {
      iteration += 1;
      break;
    }
  }
  return { x, value: current.value, iterations: iteration };
}
