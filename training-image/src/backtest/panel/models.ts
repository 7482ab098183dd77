/**
 * What the panel backtest scores on every pair's test windows, all centred on 0 (the naive forecast,
 * which the point model ties at one hour):
 *  - `served`: what the product serves, the network or the pair's linear correction, chosen on the
 *    pair's validation windows, calibrated on them;
 *  - `network`: the shared network, calibrated on the pair's validation windows (a pair left out of
 *    training: on the trained pairs' pooled);
 *  - `linear`: the pair's own linear correction, calibrated (what was served before the network);
 *  - `pooled_linear`: one linear correction fitted across the trained pairs (the network's start), calibrated;
 *  - `B1_t`: B1's scale with the configured family, uncalibrated;
 *  - `B1`, `B0`: the Gaussian baselines (EWMA 0.94 of the window, and the last 720 returns' sd).
 */
export const PANEL_MODELS = ['served', 'network', 'linear', 'pooled_linear', 'B1_t', 'B1', 'B0'] as const;

export type PanelModel = (typeof PANEL_MODELS)[number];
