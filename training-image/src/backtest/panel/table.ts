import type { PanelBacktestReport } from './schema.js';

const pct = (x: number): string => `${x >= 0 ? '+' : ''}${(100 * x).toFixed(2)}%`;
const pts = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(3)}`;
const cov = (x: number): string => x.toFixed(1);

/**
 * The report as a Markdown table, one row per pair and one pooled: CRPS skill against B1 of what is
 * served, the network, the pair's linear correction and the baselines, the network's gain over the
 * linear correction in points, and what the served 90% interval covered. The docs quote it as printed.
 */
export function panelTable(report: PanelBacktestReport): string {
  const header =
    '| pair | served: network in folds | served | network | linear (per pair) | pooled linear | B1-t | B0 | network - linear (points) | served - linear (points) | served 80/90/95% coverage | served log score |';
  const rule = `|${' --- |'.repeat(12)}`;
  const row = (
    name: string,
    served: string,
    m: PanelBacktestReport['pooled']['models'],
    g: PanelBacktestReport['pooled']['gains'],
  ) => {
    const c = m.served.scores.coverage_pct;
    return `| ${name} | ${served} | ${pct(m.served.crps_skill)} | ${pct(m.network.crps_skill)} | ${pct(m.linear.crps_skill)} | ${pct(m.pooled_linear.crps_skill)} | ${pct(m.B1_t.crps_skill)} | ${pct(m.B0.crps_skill)} | ${pts(g.network_over_linear)} | ${pts(g.served_over_linear)} | ${cov(c.i80)} / ${cov(c.i90)} / ${cov(c.i95)} | ${m.served.scores.log_score.toFixed(4)} |`;
  };
  const folds = report.settings.folds;
  const lines = [header, rule];
  for (const p of report.per_pair) {
    lines.push(
      row(
        p.trained ? p.pair : `${p.pair} (held out)`,
        `${p.network_served_folds} of ${folds}`,
        p.models,
        p.gains,
      ),
    );
  }
  const pooled = report.pooled;
  lines.push(
    row(
      `**pooled (${pooled.trained_pairs} trained pair${pooled.trained_pairs === 1 ? '' : 's'})**`,
      `${report.per_pair.filter((p) => p.trained).reduce((n, p) => n + p.network_served_folds, 0)} of ${folds * pooled.trained_pairs}`,
      pooled.models,
      pooled.gains,
    ),
  );
  return `${lines.join('\n')}\n`;
}

/** Per fold: the pooled gains and the epochs each member kept. */
export function panelFoldTable(report: PanelBacktestReport): string {
  const lines = [
    '| fold | test hours | network - linear | served - linear | network - pooled linear | best epochs | network training |',
    `|${' --- |'.repeat(7)}`,
  ];
  for (const f of report.folds) {
    lines.push(
      `| ${f.fold} | ${f.test_first.slice(0, 10)} to ${f.test_last.slice(0, 10)} | ${pts(f.gains.network_over_linear)} | ${pts(f.gains.served_over_linear)} | ${pts(f.gains.network_over_pooled_linear)} | ${f.network.best_epochs.join(', ')} | ${f.network.seconds.toFixed(0)} s, ${f.network.sequences_per_second.toFixed(0)} seq/s |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
