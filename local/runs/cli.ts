#!/usr/bin/env node
/**
 * The history of the training runs, in the terminal (`npm run runs`):
 *   npm run runs -- [list] [--pair BTC/USDT] [--last 20]   the newest runs, published, refused or failed
 *   npm run runs -- show RUN_ID                             one run: data, machine, learning curve, figures, settings
 *   npm run runs -- --compare RUN_A RUN_B                   two runs' figures and differing settings side by side
 * It reads the records the training job leaves beside the models (core/runs/layout.ts): by default the
 * local stack's (.local/s3), or --endpoint, or --config-store (conf/{env}'s own store, AWS S3 deployed).
 */
import { pathToFileURL } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { loadConfig } from '../../adapters/config/yaml.js';
import { ConfigError } from '../../core/config/index.js';
import { isVersion } from '../../core/artifacts/layout.js';
import { PairSchema } from '../../core/market/pair.js';
import type { RunRecord } from '../../core/runs/run-record.js';
import { ArtifactNotFoundError } from '../../adapters/storage/errors.js';
import { MAX_RUNS_LISTED, type RunRecords } from '../../adapters/storage/run-records.js';
import { renderComparison, renderList, renderRun } from './render.js';
import { RunsUsageError, openRunStore } from './store.js';

interface RunsFlags {
  readonly env: string;
  readonly pair?: string;
  readonly last: number;
  readonly compare?: string[];
  readonly json: boolean;
  readonly endpoint?: string;
  readonly dataDir: string;
  readonly configStore: boolean;
}

function lastCount(value: string): number {
  const count = Number(value);
  if (!/^\d+$/.test(value) || count < 1 || count > MAX_RUNS_LISTED) {
    throw new InvalidArgumentError(`expected a whole number of runs from 1 to ${MAX_RUNS_LISTED}`);
  }
  return count;
}

function pairOf(value: string): string {
  const parsed = PairSchema.safeParse(value.toUpperCase());
  if (!parsed.success) {
    throw new InvalidArgumentError('expected a pair like BTC/USDT (or NETWORK/SCALE, the shared network)');
  }
  return parsed.data;
}

function runId(value: string): string {
  if (!isVersion(value)) {
    throw new RunsUsageError(
      `"${value}" is not a run id: expected one like 20261126T064100Z-a1b2 (the RUN column of the list)`,
    );
  }
  return value;
}

/** A run by its id, of `pair` when given; a usage error naming what to do when there is none. */
async function findRun(records: RunRecords, id: string, pair: string | undefined): Promise<RunRecord> {
  const record =
    pair === undefined
      ? await records.find(runId(id))
      : await records.read(pair, runId(id)).catch((error: unknown) => {
          if (error instanceof ArtifactNotFoundError) return null;
          throw error;
        });
  if (record === null) {
    throw new RunsUsageError(
      `no run ${id}${pair === undefined ? '' : ` of ${pair}`} in this store; \`npm run runs\` lists them`,
    );
  }
  return record;
}

export async function main(
  argv: readonly string[],
  out: (text: string) => void = console.log,
): Promise<number> {
  const program = new Command()
    .name('runs')
    .description(
      'The training runs recorded beside the models, newest first: list them, show one, or compare two.\n' +
        'Commands: list (the default), show RUN_ID.',
    )
    .argument('[command]', 'list (default) or show')
    .argument('[run]', 'the run to show (show)')
    .option('--pair <pair>', 'only the runs of this pair (NETWORK/SCALE: the shared scale network)', pairOf)
    .option('--last <count>', `how many of the newest runs to list (1 to ${MAX_RUNS_LISTED})`, lastCount, 20)
    .option('--compare <runs...>', 'two run ids: their settings and figures side by side')
    .option('--json', 'print the records as JSON instead of text', false)
    .option('--env <name>', 'configuration under conf/ laid over conf/base: bucket and prefix', 'local')
    .option(
      '--data-dir <dir>',
      "the local stack's objects (npm start --data-dir), read by default",
      '.local/s3',
    )
    .option('--endpoint <url>', 'read this S3-compatible endpoint instead (a running local stack, MinIO)')
    .option('--config-store', "read the configuration's own store (AWS S3 deployed) instead", false)
    .showHelpAfterError()
    .exitOverride();

  try {
    program.parse([...argv], { from: 'user' });
    const flags = program.opts<RunsFlags>();
    const [command = 'list', id, ...extra] = program.args;
    if (extra.length > 0) throw new RunsUsageError(`unexpected ${extra.join(' ')}`);
    if (flags.compare !== undefined && flags.compare.length !== 2) {
      throw new RunsUsageError(`--compare takes two run ids, got ${flags.compare.length}`);
    }
    if (command === 'show' && id === undefined) throw new RunsUsageError('show needs a run id: show RUN_ID');
    if (command !== 'list' && command !== 'show') {
      throw new RunsUsageError(`unknown command "${command}": list (the default) or show RUN_ID`);
    }
    if (command === 'list' && id !== undefined)
      throw new RunsUsageError(`list takes no run id (show ${id}?)`);

    const { config } = loadConfig({ env: flags.env });
    const store = await openRunStore(config.storage, flags);
    try {
      const { records } = store;
      if (flags.compare !== undefined) {
        const [a = '', b = ''] = flags.compare;
        const [first, second] = [
          await findRun(records, a, flags.pair),
          await findRun(records, b, flags.pair),
        ];
        out(flags.json ? JSON.stringify([first, second], null, 2) : renderComparison(first, second));
      } else if (command === 'show') {
        const record = await findRun(records, id ?? '', flags.pair);
        out(flags.json ? JSON.stringify(record, null, 2) : renderRun(record));
      } else {
        const listing = await records.list({
          ...(flags.pair === undefined ? {} : { subject: flags.pair }),
          last: flags.last,
        });
        const scope = `${flags.pair === undefined ? '' : ` of ${flags.pair}`} in ${store.where}`;
        out(flags.json ? JSON.stringify(listing.records, null, 2) : renderList(listing, scope));
      }
    } finally {
      await store.close();
    }
    return 0;
  } catch (error) {
    if (error instanceof Error && 'exitCode' in error && typeof error.exitCode === 'number') {
      // commander has printed the usage problem (or the help, with exit code 0).
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof RunsUsageError || error instanceof ConfigError) {
      console.error(`runs: ${error.message}`);
      return 2;
    }
    console.error(`runs: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    return 1;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
