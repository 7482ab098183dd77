/**
 * How often the held-out closes fell inside the bands. Free of zod and of any runtime import, so the
 * dashboard's browser script, the API and the tests count with the same function.
 */

/** What coverage reads of a held-out hour. */
export interface CoveredHour {
  readonly open_time: string;
  readonly quantiles: { readonly p05: number; readonly p95: number };
  readonly i95: { readonly lower: number; readonly upper: number };
  readonly close: number;
}

export interface HeldOutCoverage {
  readonly hours: number;
  /** Closes inside the 90% band (p05 to p95), and their share in percent. */
  readonly inside_i90: number;
  readonly i90_pct: number;
  /** Closes inside the 95% interval, and their share in percent. */
  readonly inside_i95: number;
  readonly i95_pct: number;
  /** Open times of the hours whose close fell outside the 95% interval: the ones marked. */
  readonly outside_i95: readonly string[];
}

const inside = (value: number, lower: number, upper: number): boolean => value >= lower && value <= upper;

export function heldOutCoverage(hours: readonly CoveredHour[]): HeldOutCoverage {
  let i90 = 0;
  const outside: string[] = [];
  for (const hour of hours) {
    if (inside(hour.close, hour.quantiles.p05, hour.quantiles.p95)) i90 += 1;
    if (!inside(hour.close, hour.i95.lower, hour.i95.upper)) outside.push(hour.open_time);
  }
  const n = hours.length;
  const percent = (k: number): number => (n === 0 ? 0 : (100 * k) / n);
  return {
    hours: n,
    inside_i90: i90,
    i90_pct: percent(i90),
    inside_i95: n - outside.length,
    i95_pct: percent(n - outside.length),
    outside_i95: outside,
  };
}

/** The coverage in words, as the dashboard says it. */
export function coverageWords(coverage: HeldOutCoverage): string {
  const { hours, inside_i95: in95, outside_i95: out } = coverage;
  if (hours === 0) return 'No held-out hours were kept.';
  const marked = out.length === 0 ? 'none fell outside' : `${out.length} fell outside, marked in red`;
  return (
    `The close landed inside the 95% band in ${in95} of ${hours} held-out hours ` +
    `(${coverage.i95_pct.toFixed(1)}%; 95% expected); ${marked}. ` +
    `Inside the 90% band (5% to 95% quantiles): ${coverage.i90_pct.toFixed(1)}%.`
  );
}
