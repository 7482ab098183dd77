/**
 * Keys that earlier configurations had and that no longer vary anything. A file that still sets one
 * loads: the key is dropped and a warning says why, so an old YAML file keeps working.
 */
const RETIRED_KEYS: readonly { readonly path: readonly [string, string]; readonly why: string }[] = [
  {
    path: ['features', 'target'],
    why: 'the forecast is always the next close (training.target_mode chooses level or residual)',
  },
  {
    path: ['training', 'number_of_features'],
    why: 'the feature count is fixed by the feature contract (9)',
  },
  {
    path: ['serving', 'schedule_period_minutes'],
    why: 'the schedule has one home, schedule.expression (and schedule.period_minutes for a cron expression)',
  },
  {
    path: ['training', 'val_batch_size'],
    why: 'evaluation runs 256 windows a batch, and the loss does not depend on the batch size',
  },
  {
    path: ['distribution', 'head'],
    why: 'it weighted the per-pair network scale head, which was removed (it measured below the linear correction)',
  },
];

/** Removes the retired keys from a merged configuration tree, in place; one warning per key found. */
export function dropRetiredKeys(tree: unknown): string[] {
  const warnings: string[] = [];
  if (!isRecord(tree)) return warnings;
  for (const { path, why } of RETIRED_KEYS) {
    const [section, key] = path;
    const node = tree[section];
    if (isRecord(node) && key in node) {
      delete node[key];
      warnings.push(`${section}.${key} is no longer read and was ignored: ${why}; remove it from the file`);
    }
  }
  return warnings;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
