import type { Candle } from '../../core/market/candle.js';
import { readCandlesCsv } from '../../adapters/market/csv-source.js';
import { validateCandles } from '../../core/market/validate.js';
import type { CandleProvider } from '../../serving/index.js';

/**
 * Prediction candles from a CSV file, for the local stack's offline mode (--candles): the last closed
 * candles "as of" the file's end, whatever the clock says, so a prediction is for the hour after the
 * file's last candle. Every pair reads the same file: the file names no pair.
 */
export class FileCandles implements CandleProvider {
  public readonly candles: readonly Candle[];
  public readonly file: string;

  private constructor(file: string, candles: readonly Candle[]) {
    this.file = file;
    this.candles = candles;
  }

  /** Reads and validates the file as training does (same gap policy), so windows match training's. */
  public static async read(
    file: string,
    options: {
      readonly timeframeMs: number;
      readonly gapPolicy: 'fail' | 'fill';
      readonly maxFillGap: number;
    },
  ): Promise<FileCandles> {
    const raw = await readCandlesCsv(file);
    const { candles } = validateCandles(raw, options.timeframeMs, {
      gapPolicy: options.gapPolicy,
      maxFillGap: options.maxFillGap,
      source: `file ${file}`,
    });
    if (candles.length === 0) throw new Error(`${file} holds no candles`);
    return new FileCandles(file, candles);
  }

  /** The newest candle of the file. */
  public get last(): Candle {
    return this.candles[this.candles.length - 1] as Candle;
  }

  public async fetchLast(_pair: string, count: number): Promise<readonly Candle[]> {
    return this.candles.slice(-count);
  }
}
