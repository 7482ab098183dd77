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

  it('names every base image through a build argument with a pinned tag, never latest', () => {
    const stageNames = new Set(stages.flatMap((stage) => (stage.name === null ? [] : [stage.name])));
    for (const stage of stages) {
      if (stageNames.has(stage.from)) continue;
      const arg = /^\$\{(\w+)\}$/.exec(stage.from)?.[1];
      assert.ok(
        arg !== undefined,
        `FROM ${stage.from}: name the image through an ARG, so a digest can be given`,
      );
      const image = args.get(arg) ?? '';
      assert.match(
        image,
        /^[\w./-]+:[\w.-]+(@sha256:[0-9a-f]{64})?$/,
        `${arg}=${image}: a tag, or a tag and a digest`,
      );
      assert.doesNotMatch(image, /:latest\b/, `${arg}=${image}`);
    }
    // CUDA 11.x (11.2 or later) with cuDNN 8: what libtensorflow 2.9.1 runs on.
    assert.match(args.get('CUDA_IMAGE') ?? '', /^nvidia\/cuda:11\.([2-9]|1\d)\.\d+-cudnn8-runtime-ubuntu/);
    assert.match(args.get('NODE_IMAGE') ?? '', /^node:22\./);
  });

  it('installs the lock file with npm ci, and tfjs-node-gpu at an exact version whose sha512 it checks', () => {
    const build = stages.find((stage) => runs(stage).some((command) => /\bnpm ci\b/.test(command)));
    assert.ok(build, 'a stage runs npm ci');
    const copies = build.instructions.filter((i) => i.keyword === 'COPY').map((i) => i.args);
    assert.ok(
      copies.some((copy) => copy.includes('package-lock.json')),
      'package-lock.json is copied',
    );
    const commands = runs(build).join('\n');
    assert.doesNotMatch(
      commands,
      /npm install(?![^\n]*"\.\/\$tarball")/,
      'npm install only of the checked tarball',
    );
    const argsOfBuild = new Map(
      build.instructions
        .filter((i) => i.keyword === 'ARG')
        .map((i) => [i.args.slice(0, i.args.indexOf('=')), i.args.slice(i.args.indexOf('=') + 1)]),
    );
    assert.match(argsOfBuild.get('TFJS_NODE_GPU_VERSION') ?? '', /^\d+\.\d+\.\d+$/);
    assert.match(argsOfBuild.get('TFJS_NODE_GPU_INTEGRITY') ?? '', /^sha512-[A-Za-z0-9+/]{86}==$/);
    assert.match(commands, /openssl dgst -sha512/);
    assert.match(commands, /"\$actual" != "\$TFJS_NODE_GPU_INTEGRITY"/);
  });

  it('runs as a user that is not root, with the entry point the tests run', () => {
    const users = final.instructions.filter((i) => i.keyword === 'USER').map((i) => i.args);
    assert.ok(users.length > 0, 'the final stage sets USER');
    assert.doesNotMatch(users.at(-1) ?? '', /^(root|0)(:|$)/);
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
