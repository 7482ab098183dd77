import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DistributionMetricsSchema } from '../../../core/metrics/index.js';

describe("metrics.json's distribution block", () => {
  it('refuses the network scale an older build recorded, saying the scale head was removed', () => {
    // Act
    const result = DistributionMetricsSchema.shape.scale.safeParse('network');

    // Assess
    assert.equal(result.success, false);
    assert.match(
      result.error?.issues[0]?.message ?? '',
      /network scale head, is no longer served: it was removed/,
    );
  });
});
