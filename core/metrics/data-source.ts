import { z } from 'zod';

/** The candles came from a CSV file (path as given to the run). */
const FileSourceSchema = z.object({ kind: z.literal('file'), path: z.string().min(1) });
/** The candles came from a ccxt exchange, at its own API or at `url` (e.g. the fake exchange). */
const ExchangeSourceSchema = z.object({
  kind: z.literal('exchange'),
  exchange: z.string().min(1),
  url: z.string().nullable(),
});

/**
 * metrics.json written before the source was structured holds one display string: `file PATH`,
 * `ID` or `ID at URL`. Read as what it said, so models already published keep validating.
 */
function fromDisplayString(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (value.startsWith('file ')) return { kind: 'file', path: value.slice('file '.length) };
  const at = value.indexOf(' at ');
  return at < 0
    ? { kind: 'exchange', exchange: value, url: null }
    : { kind: 'exchange', exchange: value.slice(0, at), url: value.slice(at + ' at '.length) };
}

/** Where a training run's candles came from: metrics.json's `data.source` and the backtest report's `source`. */
export const DataSourceSchema = z.preprocess(
  fromDisplayString,
  z.discriminatedUnion('kind', [FileSourceSchema, ExchangeSourceSchema]),
);
export type DataSource = z.infer<typeof DataSourceSchema>;

/** For logs and error messages: `file PATH`, `binance` or `binance at http://127.0.0.1:PORT`. */
export function describeDataSource(source: DataSource): string {
  if (source.kind === 'file') return `file ${source.path}`;
  return source.url === null ? source.exchange : `${source.exchange} at ${source.url}`;
}
