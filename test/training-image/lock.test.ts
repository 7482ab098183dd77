import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  LockMergeError,
  RECORD_COMMAND,
  mergeLock,
  resolveFrom,
  type LockPatch,
  type Lockfile,
  type PackageJson,
} from '../../training-image/lock/merge.js';
import { diffLock } from '../../training-image/lock/record.js';
import { ROOT } from '../support/run-cli.js';

const read = <T>(file: string): T => JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as T;
const PACKAGE = read<PackageJson>('package.json');
const LOCK = read<Lockfile>('package-lock.json');
const PATCH = read<LockPatch>('training-image/lock/tfjs-node-gpu.json');

describe("tfjs-node-gpu's recorded subtree (what the image's npm ci installs)", () => {
  it("lays over the repository's lock as it is today, adding tfjs-node-gpu as a dependency", () => {
    // Act
    const { pkg, lock } = mergeLock(PACKAGE, LOCK, PATCH);

    // Assess
    assert.equal(pkg.dependencies?.['@tensorflow/tfjs-node-gpu'], '4.22.0');
    assert.equal(lock.packages['']?.dependencies?.['@tensorflow/tfjs-node-gpu'], '4.22.0');
    assert.equal(lock.packages['node_modules/@tensorflow/tfjs-node-gpu']?.version, '4.22.0');
  });

  it('leaves no dependency of the subtree unresolved, dev-only or unrecorded in the merged lock', () => {
    // Arrange
    const { lock } = mergeLock(PACKAGE, LOCK, PATCH);

    // Assess: every package the production install holds for tfjs-node-gpu has a recorded sha512.
    const seen = new Set<string>();
    const pending = ['node_modules/@tensorflow/tfjs-node-gpu'];
    while (pending.length > 0) {
      const path = pending.pop() as string;
      if (seen.has(path)) continue;
      seen.add(path);
      const entry = lock.packages[path];
      assert.ok(entry, `${path} is in the lock`);
      assert.ok(
        entry.dev !== true && entry.devOptional !== true,
        `${path} is installed without devDependencies`,
      );
      assert.match(String(entry.integrity), /^sha512-/, `${path} has a recorded sha512`);
      for (const name of Object.keys(entry.dependencies ?? {})) {
        const target = resolveFrom(lock.packages, path, name);
        assert.ok(target, `${path} needs ${name}, which the lock does not hold`);
        pending.push(target);
      }
    }
    assert.ok(seen.size > 40, `the whole subtree (${seen.size} packages)`);
  });

  it('is refused, naming the package and the command that records it again, once the lock moved under it', () => {
    // Arrange: the repository's lock now holds another tar at the path the subtree uses.
    const moved: Lockfile = {
      ...LOCK,
      packages: { ...LOCK.packages, 'node_modules/tar': { version: '7.0.0', integrity: 'sha512-other' } },
    };

    // Act, Assess
    assert.throws(
      () => mergeLock(PACKAGE, moved, PATCH),
      (error: unknown) =>
        error instanceof LockMergeError &&
        error.message.includes('node_modules/tar is 7.0.0 in the lock, the subtree has 6.2.1') &&
        error.message.includes(RECORD_COMMAND),
    );
  });

  it('is refused when a package it relies on is gone or became dev-only', () => {
    const [path] = Object.keys(PATCH.expects);
    assert.ok(path);
    const { [path]: removed, ...rest } = LOCK.packages;
    assert.ok(removed);
    assert.throws(() => mergeLock(PACKAGE, { ...LOCK, packages: rest }, PATCH), /is gone from the lock/);
    const devOnly = { ...LOCK, packages: { ...LOCK.packages, [path]: { ...removed, dev: true } } };
    assert.throws(() => mergeLock(PACKAGE, devOnly, PATCH), /no longer a production dependency/);
  });
});

describe('diffLock (record.ts)', () => {
  it('keeps new and changed entries, and the unchanged entries they resolve to', () => {
    // Arrange
    const before: Lockfile = {
      lockfileVersion: 3,
      packages: {
        '': { dependencies: { a: '^1' } },
        'node_modules/a': { version: '1.0.0', integrity: 'sha512-a' },
        'node_modules/shared': { version: '2.0.0', integrity: 'sha512-s', dev: true },
        'node_modules/kept': { version: '3.0.0', integrity: 'sha512-k' },
      },
    };
    const after: Lockfile = {
      lockfileVersion: 3,
      packages: {
        '': { dependencies: { a: '^1', gpu: '1.0.0' } },
        'node_modules/a': { version: '1.0.0', integrity: 'sha512-a' },
        'node_modules/shared': { version: '2.0.0', integrity: 'sha512-s' },
        'node_modules/kept': { version: '3.0.0', integrity: 'sha512-k' },
        'node_modules/gpu': {
          version: '1.0.0',
          integrity: 'sha512-g',
          dependencies: { shared: '^2', kept: '^3', nested: '^1' },
        },
        'node_modules/gpu/node_modules/nested': { version: '1.0.0', integrity: 'sha512-n' },
      },
    };

    // Act
    const patch = diffLock(before, after, 'gpu', '1.0.0');

    // Assess
    assert.deepEqual(patch.dependency, { name: 'gpu', version: '1.0.0' });
    assert.deepEqual(Object.keys(patch.packages), [
      'node_modules/gpu',
      'node_modules/gpu/node_modules/nested',
      'node_modules/shared',
    ]);
    assert.deepEqual(patch.expects, { 'node_modules/kept': { version: '3.0.0', integrity: 'sha512-k' } });
    assert.deepEqual(mergeLock({}, before, patch).lock.packages['node_modules/shared'], {
      version: '2.0.0',
      integrity: 'sha512-s',
    });
  });
});
