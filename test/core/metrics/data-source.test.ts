import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DataSourceSchema, describeDataSource } from '../../../core/metrics/index.js';

describe('DataSourceSchema', () => {
  it('keeps a structured source as it is', () => {
    const file = { kind: 'file', path: 'data/btc.csv' } as const;
    const exchange = { kind: 'exchange', exchange: 'binance', url: 'http://127.0.0.1:9000' } as const;
    assert.deepEqual(DataSourceSchema.parse(file), file);
    assert.deepEqual(DataSourceSchema.parse(exchange), exchange);
  });

  it('reads the display strings that metrics.json held before, and describes them back the same', () => {
    const cases = [
      ['file data/my file.csv', { kind: 'file', path: 'data/my file.csv' }],
      ['binance', { kind: 'exchange', exchange: 'binance', url: null }],
      [
        'binance at http://127.0.0.1:9000',
        { kind: 'exchange', exchange: 'binance', url: 'http://127.0.0.1:9000' },
      ],
    ] as const;
    for (const [legacy, structured] of cases) {
      const parsed = DataSourceSchema.parse(legacy);
      assert.deepEqual(parsed, structured);
      assert.equal(describeDataSource(parsed), legacy);
    }
  });

  it('refuses a source of an unknown kind or without its fields', () => {
    for (const bad of [
      { kind: 'ftp', path: 'x' },
      { kind: 'file' },
      { kind: 'exchange', exchange: 'binance' },
      42,
      '',
    ]) {
      assert.equal(DataSourceSchema.safeParse(bad).success, false, JSON.stringify(bad));
    }
  });
});
