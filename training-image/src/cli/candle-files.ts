import { resolve } from 'node:path';
import type { Pair } from '../../../core/config/index.js';
import { PairSchema } from '../../../core/config/index.js';
import { PanelInputError } from '../pipeline/panel-errors.js';
import { candleFilesExample } from '../pipeline/panel.js';

/** The command-line flags of a run over several pairs, as given (comma-separated lists). */
export interface CandleFilesFlags {
  /** `--candles a.csv,b.csv`: one CSV file per pair, in the order of the pairs. */
  readonly candles?: string | undefined;
  /** `--pairs BTC/USDT,ETH/USDT`; absent: the configured pairs. */
  readonly pairs?: string | undefined;
}

export interface PairsAndFiles {
  readonly pairs: Pair[];
  /** Absolute paths, the i-th for the i-th pair; undefined: the pairs come from the exchange (loadPanel's PanelInput). */
  readonly candlesFiles: string[] | undefined;
}

/**
 * The pairs of a run and, with --candles, the file of each: `--candles a.csv,b.csv --pairs ETH/USDT,BNB/USDT`
 * gives a.csv to ETH/USDT and b.csv to BNB/USDT. Entries are trimmed, pairs upper-cased and checked, files
 * resolved against `cwd`. Without --pairs the configured pairs are used. A pair given twice, an empty
 * entry, or as many files as pairs not given, is a PanelInputError saying how to give them.
 */
export function candleFilesPerPair(
  flags: CandleFilesFlags,
  configured: readonly Pair[],
  cwd: string = process.cwd(),
): PairsAndFiles {
  const pairs = flags.pairs === undefined ? [...configured] : parsePairs(flags.pairs);
  const repeated = pairs.find((pair, k) => pairs.indexOf(pair) !== k);
  if (repeated !== undefined) {
    throw new PanelInputError(`--pairs ${flags.pairs ?? pairs.join(',')}: ${repeated} is given twice`);
  }
  if (flags.candles === undefined) return { pairs, candlesFiles: undefined };
  const files = entries('--candles', flags.candles).map((file) => resolve(cwd, file));
  if (files.length !== pairs.length) {
    const whose = flags.pairs === undefined ? 'configured pair(s)' : 'pair(s) in --pairs';
    throw new PanelInputError(
      `--candles gives ${files.length} file(s) for ${pairs.length} ${whose} (${pairs.join(', ')}): ` +
        candleFilesExample(pairs),
    );
  }
  return { pairs, candlesFiles: files };
}

function parsePairs(list: string): Pair[] {
  return entries('--pairs', list).map((entry) => {
    const parsed = PairSchema.safeParse(entry.toUpperCase());
    if (!parsed.success) {
      throw new PanelInputError(`--pairs ${entry}: ${parsed.error.issues[0]?.message ?? 'invalid pair'}`);
    }
    return parsed.data;
  });
}

/** The comma-separated entries of a flag, trimmed; an empty one (a stray comma) is refused. */
function entries(flag: string, list: string): string[] {
  const items = list.split(',').map((item) => item.trim());
  const empty = items.findIndex((item) => item === '');
  if (empty >= 0) {
    throw new PanelInputError(
      `${flag} "${list}": entry ${empty + 1} is empty; separate the entries with single commas`,
    );
  }
  return items;
}
