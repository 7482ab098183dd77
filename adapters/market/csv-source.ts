import { readFile } from 'node:fs/promises';

import type { Candle } from '../../core/market/candle.js';
import { CsvFormatError } from './errors.js';

/** The CSV layouts understood, as a person would name them in an error message. */
export const CSV_LAYOUTS = {
  ccxt: 'timestamp,open,high,low,close,volume (ccxt fetchOHLCV)',
  binance:
    '[,]timestamp,open,high,low,close,volume,close_time,quote_av,trades,tb_base_av,tb_quote_av,ignore (Binance klines)',
  cryptodatadownload:
    'a URL line, then Unix,Date,Symbol,Open,High,Low,Close,Volume <base>,Volume <quote>[,tradecount] (CryptoDataDownload)',
} as const;

export type CsvLayout = keyof typeof CSV_LAYOUTS;

interface Columns {
  readonly layout: CsvLayout;
  readonly width: number;
  readonly time: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

interface Line {
  readonly number: number;
  readonly text: string;
}

const OHLCV = ['open', 'high', 'low', 'close', 'volume'] as const;
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|UTC|[+-]\d{2}:?\d{2})?$/i;

const DAY_MS = 86_400_000;

/** Something the reader changed in the file's candles, for the caller to log as a warning. */
export interface CsvNotice {
  readonly kind: 'duplicates_dropped' | 'history_cut';
  /** Rows dropped. */
  readonly count: number;
  readonly message: string;
}

export interface CsvReadOptions {
  /**
   * Length of one candle in ms. With it, every kept open time must lie on that grid (checked when the
   * length divides a day: weekly candles start on Mondays, which the epoch is not).
   */
  readonly timeframeMs?: number;
  /**
   * Keep only the last `historyDays` of candles, counted back from the file's newest candle, as the
   * exchange path fetches only the last market.history_days: an outage years before the training
   * window must not stop the run. Needs timeframeMs.
   */
  readonly historyDays?: number;
  /** Told about each change the reader made (identical duplicate rows dropped, history cut). */
  readonly onNotice?: (notice: CsvNotice) => void;
}

/** One candle and the line of the file it came from, so later checks can name the row. */
interface Row {
  readonly candle: Candle;
  readonly line: number;
}

/** Reads candles from a CSV file in one of the CSV_LAYOUTS, oldest first (see parseCandlesCsv). */
export async function readCandlesCsv(path: string, options: CsvReadOptions = {}): Promise<Candle[]> {
  return parseCandlesCsv(await readFile(path, 'utf8'), path, options);
}

/**
 * Parses CSV text in one of the CSV_LAYOUTS into candles sorted by open time, one per time: rows
 * repeated identically (exports that overlap) are dropped with a notice; rows that share a time but
 * disagree are an error naming both lines, as is a time in nanoseconds, before 1970, or off the
 * timeframe's grid. `name` is used in error messages (usually the file path).
 */
export function parseCandlesCsv(text: string, name: string, options: CsvReadOptions = {}): Candle[] {
  const { timeframeMs, historyDays } = options;
  if (timeframeMs !== undefined && !(Number.isInteger(timeframeMs) && timeframeMs > 0)) {
    throw new RangeError(`timeframeMs must be a positive integer, got ${timeframeMs}`);
  }
  if (historyDays !== undefined && (timeframeMs === undefined || !(historyDays > 0))) {
    throw new RangeError(`historyDays must be above 0 and come with timeframeMs, got ${historyDays}`);
  }
  const lines = text
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\n|\r/)
    .map((line, index) => ({ number: index + 1, text: line }))
    .filter((line) => line.text.trim() !== '');
  let first = 0;
  // CryptoDataDownload puts its address on a line of its own above the header.
  if (lines[0] !== undefined && /^"?https?:\/\//i.test(lines[0].text.trim())) first = 1;
  const headerLine = lines[first];
  if (headerLine === undefined) throw new CsvFormatError(name, null, 'no header line: the file is empty');

  const columns = detectColumns(splitCsvLine(headerLine, name), headerLine, name);
  const rows = lines
    .slice(first + 1)
    .map((line) => ({ candle: parseRow(line, columns, name), line: line.number }))
    // Stable, so of two rows that share a time the earlier line comes first.
    .sort((a, b) => a.candle.openTime - b.candle.openTime);
  const kept =
    historyDays === undefined ? rows : lastDays(rows, historyDays, timeframeMs as number, name, options);
  if (timeframeMs !== undefined && DAY_MS % timeframeMs === 0) checkGrid(kept, timeframeMs, name);
  return dropDuplicates(kept, name, options).map((row) => row.candle);
}

/** The rows opened in the last `days` days' worth of candles up to the newest one. */
function lastDays(
  rows: readonly Row[],
  days: number,
  timeframeMs: number,
  name: string,
  options: CsvReadOptions,
): Row[] {
  const newest = rows.at(-1);
  if (newest === undefined) return [];
  // As the exchange path counts: round(days / timeframe) candles, the newest included.
  const count = Math.max(1, Math.round((days * DAY_MS) / timeframeMs));
  const from = newest.candle.openTime - (count - 1) * timeframeMs;
  const kept = rows.filter((row) => row.candle.openTime >= from);
  const cut = rows.length - kept.length;
  if (cut > 0) {
    options.onNotice?.({
      kind: 'history_cut',
      count: cut,
      message: `${name}: kept the last ${days} day(s) (market.history_days) from ${new Date(from).toISOString()}; ${cut} older row(s) left out`,
    });
  }
  return kept;
}

function checkGrid(rows: readonly Row[], timeframeMs: number, name: string): void {
  for (const { candle, line } of rows) {
    const offset = candle.openTime % timeframeMs;
    if (offset !== 0) {
      throw new CsvFormatError(
        name,
        line,
        `open time ${new Date(candle.openTime).toISOString()} is ${offset} ms off the ${timeframeMs} ms candle grid; ` +
          'expected the start of a candle (check the time unit and the timeframe)',
      );
    }
  }
}

/** Identical rows that share a time are one candle; rows that share a time and disagree are an error. */
function dropDuplicates(rows: readonly Row[], name: string, options: CsvReadOptions): Row[] {
  const kept: Row[] = [];
  const dropped: number[] = [];
  for (const row of rows) {
    const previous = kept.at(-1);
    if (previous === undefined || previous.candle.openTime !== row.candle.openTime) {
      kept.push(row);
      continue;
    }
    const differs = OHLCV.filter((column) => previous.candle[column] !== row.candle[column]);
    if (differs.length > 0) {
      const what = differs
        .map((column) => `${column} ${previous.candle[column]} vs ${row.candle[column]}`)
        .join(', ');
      throw new CsvFormatError(
        name,
        row.line,
        `open time ${new Date(row.candle.openTime).toISOString()} repeats line ${previous.line} with other values (${what}); keep one of the two rows`,
      );
    }
    dropped.push(row.line);
  }
  if (dropped.length > 0) {
    const shown = dropped.slice(0, 10).join(', ');
    const more = dropped.length > 10 ? ` and ${dropped.length - 10} more` : '';
    options.onNotice?.({
      kind: 'duplicates_dropped',
      count: dropped.length,
      message: `${name}: dropped ${dropped.length} row(s) identical to an earlier row with the same time (lines ${shown}${more})`,
    });
  }
  return kept;
}

function detectColumns(header: readonly string[], line: Line, name: string): Columns {
  const names = header.map((field) => field.trim().toLowerCase().replace(/\s+/g, ' '));
  // pandas writes its row index as a first column with an empty name.
  const skip = names[0] === '' || names[0] === 'unnamed: 0' ? 1 : 0;
  const own = names.slice(skip);
  const at = (column: string): number => names.indexOf(column, skip);
  const ohlcvAt = (offset: number) => ({
    open: skip + offset,
    high: skip + offset + 1,
    low: skip + offset + 2,
    close: skip + offset + 3,
    volume: skip + offset + 4,
  });
  const startsWithOhlcv = (offset: number): boolean =>
    OHLCV.every(
      (column, k) =>
        own[offset + k] === column || (column === 'volume' && own[offset + k]?.startsWith('volume')),
    );

  if (own.length === 6 && own[0] === 'timestamp' && startsWithOhlcv(1)) {
    return { layout: 'ccxt', width: names.length, time: skip, ...ohlcvAt(1) };
  }
  if (own.length === 12 && (own[0] === 'timestamp' || own[0] === 'open_time') && startsWithOhlcv(1)) {
    if (own[6] === 'close_time') return { layout: 'binance', width: names.length, time: skip, ...ohlcvAt(1) };
  }
  const unix = at('unix') >= 0 ? at('unix') : at('unix timestamp');
  const firstVolume = names.findIndex((column, k) => k >= skip && column.startsWith('volume'));
  if (
    unix >= 0 &&
    at('date') >= 0 &&
    firstVolume >= 0 &&
    ['open', 'high', 'low', 'close'].every((c) => at(c) >= 0)
  ) {
    // The first volume column is the base asset's (Volume BTC), the one ccxt reports.
    return {
      layout: 'cryptodatadownload',
      width: names.length,
      time: unix,
      open: at('open'),
      high: at('high'),
      low: at('low'),
      close: at('close'),
      volume: firstVolume,
    };
  }
  const expected = Object.values(CSV_LAYOUTS)
    .map((layout) => `  - ${layout}`)
    .join('\n');
  throw new CsvFormatError(
    name,
    line.number,
    `unknown header "${header.join(',')}"; expected one of these layouts:\n${expected}`,
  );
}

function parseRow(line: Line, columns: Columns, name: string): Candle {
  const fields = splitCsvLine(line, name);
  if (fields.length !== columns.width) {
    throw new CsvFormatError(
      name,
      line.number,
      `expected ${columns.width} fields like the header (${columns.layout} layout), found ${fields.length}`,
    );
  }
  const field = (index: number): string => (fields[index] ?? '').trim();
  const number = (column: (typeof OHLCV)[number]): number => {
    const value = field(columns[column]);
    if (!NUMBER.test(value))
      throw new CsvFormatError(name, line.number, `${column} "${value}" is not a number`);
    return Number(value);
  };
  return {
    openTime: parseTime(field(columns.time), line, name),
    open: number('open'),
    high: number('high'),
    low: number('low'),
    close: number('close'),
    volume: number('volume'),
  };
}

/**
 * A time as epoch seconds, ms or µs (told apart by size: data sets mix them, and
 * Binance moved its spot files to µs in 2025), or a date-time in UTC unless it says
 * otherwise. Nanoseconds and times before 1970 are refused rather than misread.
 */
function parseTime(value: string, line: Line, name: string): number {
  if (NUMBER.test(value)) {
    const n = Number(value);
    if (n < 0) {
      throw new CsvFormatError(name, line.number, `time "${value}" is negative; expected a time after 1970`);
    }
    if (n >= 1e17) {
      // Seconds up to 1e11 (year 5138), ms up to 1e14, µs up to 1e17: larger is nanoseconds (pandas, Arrow).
      throw new CsvFormatError(
        name,
        line.number,
        `time "${value}" looks like nanoseconds since the epoch; write seconds, ms or µs instead (divide by 1e6 for ms)`,
      );
    }
    const ms = n < 1e11 ? n * 1_000 : n >= 1e14 ? n / 1_000 : n;
    return Math.round(ms);
  }
  const match = DATE_TIME.exec(value);
  if (match !== null) {
    const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone = 'Z'] = match;
    const ms = Number(fraction.padEnd(3, '0').slice(0, 3));
    const time = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
    const check = new Date(time);
    // Date.UTC rolls 2021-02-30 over to March; a changed field means the date does not exist.
    const parts = [check.getUTCMonth() + 1, check.getUTCDate(), check.getUTCHours(), check.getUTCMinutes()];
    if ([mo, d, h, mi].every((part, k) => Number(part) === parts[k])) {
      const utc = time - zoneOffsetMs(zone);
      if (utc < 0) {
        throw new CsvFormatError(name, line.number, `time "${value}" is before 1970`);
      }
      return utc;
    }
  }
  throw new CsvFormatError(
    name,
    line.number,
    `time "${value}" is neither epoch seconds/ms nor a date-time like 2021-03-06 17:00:00`,
  );
}

function zoneOffsetMs(zone: string): number {
  const match = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (match === null) return 0;
  const [, sign, hours = '0', minutes = '0'] = match;
  return (sign === '-' ? -1 : 1) * (Number(hours) * 60 + Number(minutes)) * 60_000;
}

/** One CSV record on one line: fields may be quoted, with "" for a quote inside. */
function splitCsvLine(line: Line, name: string): string[] {
  const fields: string[] = [];
  const text = line.text;
  let i = 0;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new CsvFormatError(name, line.number, 'a quoted field is not closed');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i];
        i++;
      }
      const rest = text.indexOf(',', i);
      const end = rest === -1 ? text.length : rest;
      if (text.slice(i, end).trim() !== '') {
        throw new CsvFormatError(name, line.number, 'text after a closing quote');
      }
      i = end;
    } else {
      const rest = text.indexOf(',', i);
      const end = rest === -1 ? text.length : rest;
      field = text.slice(i, end);
      i = end;
    }
    fields.push(field);
    if (i >= text.length) return fields;
    i++; // the comma
  }
}
