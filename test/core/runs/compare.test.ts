import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareRuns, flattenSettings, outcomeReason, outcomeWords } from '../../../core/runs/compare.js';
import { RunRecordSchema, type RunRecord } from '../../../core/runs/run-record.js';
import { runRecordFixture } from './fixtures.js';

describe('RunRecordSchema', () => {
  it('takes a published, a refused and a failed run, and refuses a gate it does not know', () => {
    const published = runRecordFixture();
    assert.ok(RunRecordSchema.safeParse(published).success);
    const refused = {
      ...published,
      version: null,
      outcome: { status: 'refused', gate: 'promotion', reason: 'promotion gate failed: ...' },
    };
    assert.ok(RunRecordSchema.safeParse(refused).success);
    const failed = {
      ...refused,
      data: null,
      training: null,
      outcome: { status: 'failed', reason: 'exchange down' },
    };
    assert.ok(RunRecordSchema.safeParse(failed).success);
    const unknown = { ...refused, outcome: { status: 'refused', gate: 'vibes', reason: 'no' } };
    assert.equal(RunRecordSchema.safeParse(unknown).success, false);
  });
});

describe('compareRuns', () => {
  it('lists the settings that differ, counts the rest, and sets the figures side by side', () => {
    // Prepare
    const a = runRecordFixture();
    const b: RunRecord = {
      ...a,
      run_id: '20261126T074100Z-b2c3',
      settings: { ...a.settings, training: { ...(a.settings['training'] as object), learning_rate: 0.001 } },
      figures: {
        ...a.figures,
        test: { ...a.figures.test, point: { ...a.figures.test.point!, mae: 12, skill: -0.2 } },
      },
      outcome: { status: 'refused', gate: 'promotion', reason: 'promotion gate failed' },
    };

    // Act
    const comparison = compareRuns(a, b);

    // Assess
    assert.deepEqual(comparison.differing, [{ key: 'training.learning_rate', a: '0.003', b: '0.001' }]);
    assert.equal(comparison.same, flattenSettings(a.settings).size - 1);
    const mae = comparison.figures.find((row) => row.spec.key === 'mae');
    assert.deepEqual([mae?.a, mae?.b, mae?.favours], [10, 12, 'a']);
    const skill = comparison.figures.find((row) => row.spec.key === 'skill');
    assert.equal(skill?.favours, 'a');
    const outcome = comparison.figures.find((row) => row.spec.key === 'outcome');
    assert.deepEqual([outcome?.a, outcome?.b], ['published', 'refused (promotion gate)']);
    assert.equal(outcomeReason(b), 'promotion gate failed');
    assert.equal(outcomeWords({ ...a, outcome: { status: 'failed', reason: 'x' } }), 'failed');
  });

  it('shows a figure a run did not reach as missing, favouring neither', () => {
    const a = runRecordFixture();
    const failed: RunRecord = {
      ...a,
      data: null,
      training: null,
      figures: {
        validation: { loss: null, mean_val_test: null },
        test: { loss: null, point: null, distribution: null },
      },
      outcome: { status: 'failed', reason: 'exchange down' },
    };
    const row = compareRuns(a, failed).figures.find((r) => r.spec.key === 'val_loss');
    assert.deepEqual([row?.b, row?.favours], [null, null]);
  });
});
