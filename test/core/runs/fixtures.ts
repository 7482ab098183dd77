import type { DistributionScores } from '../../../core/distribution/index.js';
import { RunRecordSchema, type RunRecord } from '../../../core/runs/run-record.js';

function scores(crps: number, i90: number): DistributionScores {
  const q = { q05: 1, q10: 2, q25: 3, q50: 4, q75: 3, q90: 2, q95: 1 };
  return {
    windows: 40,
    crps_bp: crps,
    log_score: -5,
    pinball_bp: q,
    coverage_pct: { i80: 80, i90, i95: 95 },
    interval_score_bp: { i80: 50, i90: 60, i95: 70 },
  };
}

/** A published run's record, valid by the schema; tests change what they look at. */
export function runRecordFixture(overrides: Partial<RunRecord> = {}): RunRecord {
  return RunRecordSchema.parse({
    schema_version: 1,
    run_id: '20261126T064100Z-a1b2',
    subject: 'BTC/USDT',
    version: '20261126T064100Z-a1b2',
    started_at: '2026-11-26T06:40:00.000Z',
    finished_at: '2026-11-26T06:41:00.000Z',
    duration_seconds: 60,
    data: {
      source: { kind: 'exchange', exchange: 'binance', url: 'http://127.0.0.1:8081' },
      first_open_time: '2026-10-26T00:00:00.000Z',
      last_open_time: '2026-11-26T05:00:00.000Z',
      candles: 750,
      filled_candles: 0,
      windows: { train: 500, val: 120, test: 40 },
    },
    settings: {
      features: { sequence_length: 24, set: 'seed' },
      training: { learning_rate: 0.003, hidden_size: 16 },
    },
    machine: {
      backend: { name: 'wasm', provider: 'WebAssembly' },
      platform: 'linux',
      arch: 'x64',
      cpus: 2,
      cpu_model: 'test cpu',
      memory_mb: 4096,
      node: 'v22.0.0',
      batch_job: null,
    },
    training: {
      loss: 'MSE of the scaled close',
      epochs: [
        { epoch: 1, train_loss: 0.02, val_loss: 0.03, seconds: 1 },
        { epoch: 2, train_loss: 0.01, val_loss: 0.025, seconds: 1 },
      ],
      best_epoch: 2,
      stopped_early: false,
    },
    figures: {
      validation: { loss: 0.025, mean_val_test: 0.027 },
      test: {
        loss: 0.029,
        point: {
          windows: 40,
          mae: 10,
          rmse: 14,
          naive_mae: 10.1,
          naive_rmse: 14.1,
          skill: 0.0099,
          direction_accuracy: 0.5,
        },
        distribution: {
          family: { name: 'student_t', nu: 5 },
          scale: 'linear',
          windows: { fit: 500, calibration: 120, test: 40 },
          b0_min_returns: 600,
          model: scores(30, 90),
          model_uncalibrated: scores(31, 88),
          b0: scores(33, 91),
          b1: scores(31.5, 89),
          crps_skill: 1 - 30 / 31.5,
          crps_skill_uncalibrated: 1 - 31 / 31.5,
          b0_crps_skill: 1 - 33 / 31.5,
          calibration: null,
        },
      },
    },
    scale_choice: {
      served: 'linear',
      network_val_crps_bp: null,
      linear_val_crps_bp: null,
      reason: 'distribution.scale is linear',
    },
    heldout_hours: 40,
    outcome: { status: 'published', promoted: true, not_promoted_because: null },
    ...overrides,
  });
}
