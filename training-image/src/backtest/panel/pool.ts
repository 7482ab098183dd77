import { crpsSkill, poolScores, type DistributionScores } from '../../../../core/distribution/index.js';
import type { Pair } from '../../../../core/config/index.js';
import type { PanelFoldResult } from './fold.js';
import { PANEL_MODELS, type PanelModel } from './models.js';
import type { PanelBacktestReport, PanelGains } from './schema.js';

type Scores = Record<PanelModel, DistributionScores>;
type Figures = PanelBacktestReport['pooled']['models'];

/** Each model's scores with its CRPS skill against B1 on the same windows. */
export function withSkill(scores: Scores): Figures {
  return Object.fromEntries(
    PANEL_MODELS.map((name) => [
      name,
      { scores: scores[name], crps_skill: crpsSkill(scores[name].crps_bp, scores.B1.crps_bp) },
    ]),
  ) as Figures;
}

export function gains(figures: Figures): PanelGains {
  const points = (a: PanelModel, b: PanelModel) => 100 * (figures[a].crps_skill - figures[b].crps_skill);
  return {
    network_over_linear: points('network', 'linear'),
    served_over_linear: points('served', 'linear'),
    network_over_pooled_linear: points('network', 'pooled_linear'),
  };
}

export function pool(parts: readonly Scores[]): Scores {
  return Object.fromEntries(
    PANEL_MODELS.map((name) => [name, poolScores(parts.map((p) => p[name]))]),
  ) as Scores;
}

/** The per-fold, per-pair and pooled sections of the report. */
export function summarise(
  folds: readonly PanelFoldResult[],
  pairs: readonly Pair[],
): Pick<PanelBacktestReport, 'folds' | 'per_pair' | 'pooled'> {
  const perPair = pairs.map((pair) => {
    const rows = folds.map((fold) => fold.pairs.find((p) => p.pair === pair)!);
    const figures = withSkill(pool(rows.map((row) => row.scores)));
    return {
      pair,
      trained: rows[0]!.trained,
      network_served_folds: rows.filter((row) => row.choice.served === 'shared_network').length,
      models: figures,
      gains: gains(figures),
    };
  });
  const trained = perPair.filter((p) => p.trained);
  const pooledFigures = withSkill(
    pool(folds.flatMap((fold) => fold.pairs.filter((p) => p.trained).map((p) => p.scores))),
  );
  return {
    folds: folds.map((fold) => ({
      fold: fold.index + 1,
      test_first: new Date(fold.testFirst).toISOString(),
      test_last: new Date(fold.testLast).toISOString(),
      network: {
        train_windows: fold.network.trainWindows,
        val_windows: fold.network.valWindows,
        best_epochs: [...fold.network.bestEpochs],
        epochs: [...fold.network.epochs],
        seconds: fold.network.seconds,
        sequences_per_second: fold.network.sequencesPerSecond,
      },
      pairs: fold.pairs.map((p) => ({
        pair: p.pair,
        trained: p.trained,
        served: p.choice.served,
        network_val_crps_bp: p.choice.network_val_crps_bp,
        linear_val_crps_bp: p.choice.linear_val_crps_bp,
        gains: gains(withSkill(p.scores)),
      })),
      gains: gains(withSkill(pool(fold.pairs.filter((p) => p.trained).map((p) => p.scores)))),
    })),
    per_pair: perPair,
    pooled: {
      models: pooledFigures,
      gains: gains(pooledFigures),
      pairs_network_not_worse: trained.filter((p) => p.gains.network_over_linear >= 0).length,
      pairs_served_not_worse: trained.filter((p) => p.gains.served_over_linear >= 0).length,
      trained_pairs: trained.length,
    },
  };
}
