/**
 * Records tfjs-node-gpu's subtree for the training image (tfjs-node-gpu.json), against the repository's
 * package-lock.json: npm resolves `@tensorflow/tfjs-node-gpu@VERSION` on top of the lock in a scratch
 * folder (`--package-lock-only --ignore-scripts`: nothing is downloaded but registry metadata, nothing runs),
 * and the entries it adds or changes, with the lock entries they resolve to, are written down. Run it with
 * network access to the npm registry when tfjs-node-gpu's version changes or merge.ts refuses:
 *
 *   npx tsx training-image/lock/record.ts [VERSION]
 *
 * then review the diff of tfjs-node-gpu.json (every package and its sha512) like any lock change.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolveFrom, type LockEntry, type LockPatch, type Lockfile } from './merge.js';

const NAME = '@tensorflow/tfjs-node-gpu';

/** The patch that turns `before` into `after`, with the entries of `before` the new ones resolve to. */
export function diffLock(before: Lockfile, after: Lockfile, name: string, version: string): LockPatch {
  const packages: Record<string, LockEntry> = {};
  for (const [path, entry] of Object.entries(after.packages)) {
    if (path === '') continue;
    if (JSON.stringify(before.packages[path]) !== JSON.stringify(entry)) packages[path] = entry;
  }
  const expects: Record<string, { version: string; integrity: string }> = {};
  for (const [path, entry] of Object.entries(packages)) {
    for (const dependency of Object.keys({ ...entry.dependencies, ...entry.optionalDependencies })) {
      const target = resolveFrom(after.packages, path, dependency);
      if (target === undefined || target in packages) continue;
      const found = after.packages[target];
      if (found?.version !== undefined && found.integrity !== undefined) {
        expects[target] = { version: found.version, integrity: found.integrity };
      }
    }
  }
  const sorted = <T>(record: Record<string, T>): Record<string, T> =>
    Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { dependency: { name, version }, packages: sorted(packages), expects: sorted(expects) };
}

function main(): void {
  const version = process.argv[2] ?? '4.22.0';
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const scratch = mkdtempSync(join(tmpdir(), 'tfjs-node-gpu-lock-'));
  try {
    for (const file of ['package.json', 'package-lock.json', '.npmrc']) {
      copyFileSync(join(root, file), join(scratch, file));
    }
    execFileSync(
      'npm',
      [
        'install',
        '--package-lock-only',
        '--ignore-scripts',
        '--no-audit',
        '--no-fund',
        '--save-exact',
        `${NAME}@${version}`,
      ],
      { cwd: scratch, stdio: 'inherit' },
    );
    const read = (dir: string): Lockfile =>
      JSON.parse(readFileSync(join(dir, 'package-lock.json'), 'utf8')) as Lockfile;
    const patch = diffLock(read(root), read(scratch), NAME, version);
    const out = fileURLToPath(new URL('./tfjs-node-gpu.json', import.meta.url));
    writeFileSync(out, `${JSON.stringify(patch, null, 2)}\n`);
    console.log(
      `${out}: ${Object.keys(patch.packages).length} entries, ${Object.keys(patch.expects).length} relied on`,
    );
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
