/**
 * Lays tfjs-node-gpu's recorded subtree (tfjs-node-gpu.json, written by record.ts) over the repository's
 * package.json and package-lock.json, so that the image's `npm ci` installs tfjs-node-gpu and every one of
 * its dependencies at a recorded version, each tarball checked against a recorded sha512 (npm ci checks
 * every download against the lock's integrity). Nothing is resolved at build time.
 *
 * The training image runs it before `npm ci`, with Node's own type stripping (no tsx yet, no imports but
 * node:), in the folder that holds the two files:
 *
 *   node training-image/lock/merge.ts
 *
 * It refuses, naming the package and the command that records the subtree again, when the repository's
 * lock no longer has what the subtree was recorded against: another version at a path the subtree uses, a
 * package it relies on gone or turned dev-only. test/training-image/lock.test.ts runs the same check in CI,
 * so a lock change that breaks it fails there first, not in a deploy.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** One entry of package-lock.json's `packages`, as npm writes it (lockfileVersion 3). */
export interface LockEntry {
  readonly version?: string;
  readonly resolved?: string;
  readonly integrity?: string;
  readonly dev?: boolean;
  readonly optional?: boolean;
  readonly devOptional?: boolean;
  readonly peer?: boolean;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
  readonly [key: string]: unknown;
}

export interface Lockfile {
  readonly lockfileVersion: number;
  readonly packages: Readonly<Record<string, LockEntry>>;
  readonly [key: string]: unknown;
}

export interface PackageJson {
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly [key: string]: unknown;
}

/** What record.ts writes: the dependency, the entries it adds or changes, and the entries it relies on. */
export interface LockPatch {
  readonly dependency: { readonly name: string; readonly version: string };
  /** Entries to set, by path: new packages, and existing ones whose flags change (a dev package now needed). */
  readonly packages: Readonly<Record<string, LockEntry>>;
  /** Entries of the repository's lock that the subtree resolves to, unchanged: version and integrity. */
  readonly expects: Readonly<Record<string, { readonly version: string; readonly integrity: string }>>;
}

/** How to record the subtree again, in every refusal. */
export const RECORD_COMMAND = 'npx tsx training-image/lock/record.ts';

export class LockMergeError extends Error {
  public constructor(problems: readonly string[]) {
    super(
      `tfjs-node-gpu's recorded subtree no longer fits package-lock.json:\n${problems.map((p) => `  - ${p}`).join('\n')}\n` +
        `Record it again (with network access to the npm registry): ${RECORD_COMMAND}`,
    );
    this.name = 'LockMergeError';
  }
}

/** package.json and package-lock.json with the subtree laid over them; throws LockMergeError. */
export function mergeLock(
  pkg: PackageJson,
  lock: Lockfile,
  patch: LockPatch,
): { pkg: PackageJson; lock: Lockfile } {
  const problems: string[] = [];
  if (lock.lockfileVersion !== 3) problems.push(`lockfileVersion ${lock.lockfileVersion}, expected 3`);
  for (const [path, entry] of Object.entries(patch.packages)) {
    const current = lock.packages[path];
    if (current === undefined) continue;
    if (current.version !== entry.version || current.integrity !== entry.integrity) {
      problems.push(
        `${path} is ${String(current.version)} in the lock, the subtree has ${String(entry.version)}`,
      );
    }
  }
  for (const [path, expected] of Object.entries(patch.expects)) {
    const current = lock.packages[path];
    if (current === undefined) {
      problems.push(`${path} (${expected.version}) is gone from the lock`);
    } else if (current.version !== expected.version || current.integrity !== expected.integrity) {
      problems.push(
        `${path} is ${String(current.version)} in the lock, the subtree needs ${expected.version}`,
      );
    } else if (current.dev === true || current.devOptional === true || current.optional === true) {
      problems.push(`${path} is no longer a production dependency in the lock`);
    }
  }
  if (problems.length > 0) throw new LockMergeError(problems);

  const { name, version } = patch.dependency;
  const root = lock.packages[''] ?? {};
  return {
    pkg: { ...pkg, dependencies: { ...pkg.dependencies, [name]: version } },
    lock: {
      ...lock,
      packages: {
        ...lock.packages,
        '': { ...root, dependencies: { ...root.dependencies, [name]: version } },
        ...patch.packages,
      },
    },
  };
}

/**
 * The path Node would load `name` from when `from` requires it: `from`'s own node_modules first, then each
 * parent's, then the root's; undefined when the lock has no such package.
 */
export function resolveFrom(
  packages: Readonly<Record<string, LockEntry>>,
  from: string,
  name: string,
): string | undefined {
  let base = from;
  for (;;) {
    const candidate = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    if (candidate in packages) return candidate;
    if (base === '') return undefined;
    const at = base.lastIndexOf('/node_modules/');
    base = at === -1 ? '' : base.slice(0, at);
  }
}

function main(): void {
  const read = (file: string | URL): unknown => JSON.parse(readFileSync(file, 'utf8'));
  const patch = read(new URL('./tfjs-node-gpu.json', import.meta.url)) as LockPatch;
  const merged = mergeLock(read('package.json') as PackageJson, read('package-lock.json') as Lockfile, patch);
  writeFileSync('package.json', `${JSON.stringify(merged.pkg, null, 2)}\n`);
  writeFileSync('package-lock.json', `${JSON.stringify(merged.lock, null, 2)}\n`);
  console.log(
    `package-lock.json: ${patch.dependency.name}@${patch.dependency.version} and ` +
      `${Object.keys(patch.packages).length} recorded entries laid over the repository's lock`,
  );
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    main();
  } catch (error) {
    if (!(error instanceof LockMergeError)) throw error;
    console.error(error.message);
    process.exitCode = 1;
  }
}
