/**
 * Runs after esbuild bundled one Lambda function (NodejsFunction's afterBundling hook), in the asset folder:
 *
 * - refuses the bundle if TensorFlow.js got into it (serving never loads it; ARCHITECTURE.md), or if it
 *   imports a Node built-in as an ES module (function-esbuild.ts says why that is slow),
 * - vendors the native packages the bundle left external (onnxruntime-node) into node_modules/, copied from
 *   the project's own node_modules (the version package-lock.json pins; no network) with the native
 *   binaries of the function's platform only: the package holds every platform, about 290 MB, where a
 *   function may hold 250 MB unzipped in all,
 * - writes conf/ beside the handler (MUR_CONF_DIR) as JSON, each parameters.yaml as the parameters.json
 *   that core/config/load-json.ts reads: the function bundles no YAML parser,
 * - removes esbuild's metafile, which must not ship.
 *
 *   node --import tsx infra/bundling/finish-bundle.ts --out DIR --arch x64|arm64 [--project DIR]
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readTree } from '../../adapters/config/files.js';
import { JSON_CONFIG } from '../../adapters/config/json.js';
import { YAML_CONFIG } from '../../adapters/config/yaml.js';

/** Packages a function may import at run time without bundling them, because they are native. */
export const VENDORED_PACKAGES = ['onnxruntime-node'] as const;

export type VendoredPackage = (typeof VENDORED_PACKAGES)[number];

/**
 * The module a bundle loads a vendored package through, `vendored/{name}.mjs` beside this file:
 * function-esbuild.ts aliases the package to it, so the bundle's metafile names the loader as an input
 * rather than the package as an external.
 */
export function vendoredLoaderPath(name: VendoredPackage): string {
  return fileURLToPath(new URL(`./vendored/${name}.mjs`, import.meta.url));
}

function importsVendored(meta: Metafile, externals: readonly string[], name: VendoredPackage): boolean {
  const loader = `bundling/vendored/${name}.mjs`;
  return (
    externals.includes(name) ||
    Object.keys(meta.inputs).some((input) => input.replaceAll('\\', '/').endsWith(loader))
  );
}

/**
 * Packages left out of the functions, neither bundled nor shipped, because what imports them copes
 * without: ccxt imports undici in a try/catch when it is given no fetch, and core/market gives it one
 * (http-fetch.ts, on node:http). Bundled, undici's 0.5 MB of JavaScript were parsed at every cold start.
 */
export const LEFT_OUT_PACKAGES = ['undici'] as const;

/**
 * Dependencies a vendored package declares but only uses in its install script: onnxruntime-node's
 * postinstall downloads CUDA files with adm-zip behind global-agent; at run time it needs onnxruntime-common.
 */
export const INSTALL_ONLY_DEPENDENCIES: Readonly<Record<string, readonly string[]>> = {
  'onnxruntime-node': ['adm-zip', 'global-agent'],
};

/** Packages that must never be in a function (bundled or vendored). */
export const FORBIDDEN_PACKAGE = /(^|[/\\])node_modules[/\\]@tensorflow[/\\]|^@tensorflow\//;

export const METAFILE = 'index.meta.json';

export type NodeArch = 'x64' | 'arm64';

export interface FinishBundleOptions {
  /** The asset folder esbuild wrote index.mjs and the metafile into. */
  readonly outDir: string;
  /** process.arch of the Lambda function. */
  readonly arch: NodeArch;
  /** The repository root: where node_modules/ and conf/ are. */
  readonly projectDir: string;
}

export interface FinishBundleReport {
  /** Packages copied into node_modules/. */
  readonly vendored: readonly string[];
  /** Optional packages the bundle may require and copes without (not installed, so not shipped). */
  readonly optional: readonly string[];
  readonly bytes: number;
}

/** Thrown when the bundle cannot be shipped; the message says what to change. */
export class BundleError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'BundleError';
  }
}

interface Metafile {
  readonly inputs: Readonly<Record<string, unknown>>;
  readonly outputs: Readonly<
    Record<
      string,
      {
        readonly imports?: readonly {
          readonly path: string;
          readonly kind?: string;
          readonly external?: boolean;
        }[];
      }
    >
  >;
}

export function finishBundle(options: FinishBundleOptions): FinishBundleReport {
  const { outDir, arch, projectDir } = options;
  const metafilePath = join(outDir, METAFILE);
  if (!existsSync(metafilePath)) {
    throw new BundleError(
      `${metafilePath} is missing: bundle the function with esbuild's metafile option on`,
    );
  }
  const meta = JSON.parse(readFileSync(metafilePath, 'utf8')) as Metafile;

  const bundledTensorFlow = Object.keys(meta.inputs).filter((input) => FORBIDDEN_PACKAGE.test(input));
  const externals = externalPackages(meta);
  const externalTensorFlow = externals.filter((name) => FORBIDDEN_PACKAGE.test(name));
  if (bundledTensorFlow.length > 0 || externalTensorFlow.length > 0) {
    throw new BundleError(
      `TensorFlow.js must never be in a Lambda function, but the bundle imports ${[
        ...externalTensorFlow,
        ...bundledTensorFlow,
      ]
        .slice(0, 5)
        .join(', ')}: serving code must not import training-image/ or @tensorflow/*`,
    );
  }
  const esBuiltins = builtinEsImports(meta);
  if (esBuiltins.length > 0) {
    const shims = esBuiltins.map((name) => `infra/bundling/builtins/${name.replace('/', '-')}.cjs`);
    throw new BundleError(
      `The bundle imports the Node built-ins ${esBuiltins.join(', ')} as ES modules, which costs every ` +
        `cold start (see infra/bundling/function-esbuild.ts): add ${shims.join(', ')}, each ` +
        `module.exports = process.getBuiltinModule('node:NAME')`,
    );
  }
  const vendor: string[] = VENDORED_PACKAGES.filter((name) => importsVendored(meta, externals, name));
  const others = externals.filter(
    (name) => !vendor.includes(name) && !(LEFT_OUT_PACKAGES as readonly string[]).includes(name),
  );
  // esbuild fails on an import it cannot resolve, unless it is a require() inside try/catch: a package
  // that is not installed can only be such an optional one (ws's utf-8-validate), which copes without it.
  const installed = others.filter((name) => findPackageDir(name, projectDir) !== undefined);
  if (installed.length > 0) {
    throw new BundleError(
      `The bundle leaves ${installed.join(', ')} external but nothing ships it: bundle it, ` +
        `or add it to VENDORED_PACKAGES in infra/bundling/finish-bundle.ts`,
    );
  }

  const vendored: string[] = [];
  for (const name of vendor) {
    for (const dir of dependencyClosure(name, projectDir)) {
      const target = join(outDir, 'node_modules', packageName(dir));
      if (existsSync(target)) continue;
      cpSync(dir, target, { recursive: true, filter: (source) => keepFile(source, dir, arch) });
      vendored.push(packageName(dir));
    }
  }

  writeJsonConf(join(projectDir, 'conf'), join(outDir, 'conf'));
  rmSync(metafilePath);
  return { vendored, optional: others, bytes: folderBytes(outDir) };
}

/**
 * Each conf/{env}/parameters.yaml under `confDir` as {env}/parameters.json under `outConfDir`, read as
 * loadConfig reads it: invalid YAML stops the bundling with a ConfigError naming the file.
 */
export function writeJsonConf(confDir: string, outConfDir: string): string[] {
  const written: string[] = [];
  for (const entry of readdirSync(confDir, { withFileTypes: true })) {
    const yamlPath = join(confDir, entry.name, YAML_CONFIG.fileName);
    if (!entry.isDirectory() || !existsSync(yamlPath)) continue;
    const jsonPath = join(outConfDir, entry.name, JSON_CONFIG.fileName);
    mkdirSync(dirname(jsonPath), { recursive: true });
    writeFileSync(jsonPath, `${JSON.stringify(readTree(YAML_CONFIG, yamlPath), null, 2)}\n`);
    written.push(jsonPath);
  }
  return written;
}

/** Bare package names the bundle imports but esbuild left out (`onnxruntime-node`, not its subpaths). */
export function externalPackages(meta: Metafile): string[] {
  const names = new Set<string>();
  for (const output of Object.values(meta.outputs)) {
    for (const entry of output.imports ?? []) {
      if (entry.external !== true || entry.path.startsWith('node:') || isBuiltin(entry.path)) continue;
      const parts = entry.path.split('/');
      names.add(entry.path.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? entry.path));
    }
  }
  return [...names].sort();
}

/** Node built-ins the bundle reaches by an import statement or import(), without `node:` (`fs/promises`). */
export function builtinEsImports(meta: Metafile): string[] {
  const names = new Set<string>();
  for (const output of Object.values(meta.outputs)) {
    for (const entry of output.imports ?? []) {
      const viaImport = entry.kind === 'import-statement' || entry.kind === 'dynamic-import';
      if (entry.external === true && viaImport && (entry.path.startsWith('node:') || isBuiltin(entry.path))) {
        names.add(entry.path.replace(/^node:/, ''));
      }
    }
  }
  return [...names].sort();
}

const BUILTINS = new Set(builtinModules);

function isBuiltin(path: string): boolean {
  return BUILTINS.has(path) || BUILTINS.has(path.split('/')[0] ?? path);
}

/** The package's folder and those of its dependencies, found as Node would from where each one is. */
function dependencyClosure(name: string, fromDir: string): string[] {
  const seen = new Set<string>();
  const visit = (pkg: string, from: string): void => {
    const dir = findPackageDir(pkg, from);
    if (dir === undefined)
      throw new BundleError(`Cannot find ${pkg} in node_modules from ${from} (run npm ci)`);
    if (seen.has(dir)) return;
    seen.add(dir);
    const json = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    const installOnly = INSTALL_ONLY_DEPENDENCIES[pkg] ?? [];
    for (const dependency of Object.keys(json.dependencies ?? {})) {
      if (!installOnly.includes(dependency)) visit(dependency, dir);
    }
  };
  visit(name, fromDir);
  return [...seen];
}

/**
 * Node's lookup (node_modules/{name} in the folder, then in each parent), by path rather than through
 * require.resolve, which a package's "exports" may forbid for package.json.
 */
export function findPackageDir(name: string, fromDir: string): string | undefined {
  let dir = fromDir;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** `.../node_modules/@scope/name` -> `@scope/name`. */
function packageName(dir: string): string {
  const parts = dir.split(sep);
  const at = parts.lastIndexOf('node_modules');
  const rest = parts.slice(at + 1);
  return rest[0]?.startsWith('@') === true ? `${rest[0]}/${rest[1] ?? ''}` : (rest[0] ?? dir);
}

/**
 * Everything but other platforms' native binaries: `bin/napi-v6/{platform}/{arch}/` is kept for linux/{arch}
 * only, and nested node_modules are left to dependencyClosure (which copies them to the top level).
 */
export function keepFile(source: string, packageDir: string, arch: NodeArch): boolean {
  const parts = relative(packageDir, source).split(sep);
  if (parts[0] === 'node_modules') return false;
  const napi = parts.findIndex((part) => /^napi-v\d+$/.test(part));
  if (parts[0] !== 'bin' || napi === -1) return true;
  const platform = parts[napi + 1];
  const cpu = parts[napi + 2];
  if (platform === undefined) return true;
  if (platform !== 'linux') return false;
  return cpu === undefined || cpu === arch;
}

export function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += folderBytes(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

function main(argv: readonly string[]): void {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      out: { type: 'string' },
      arch: { type: 'string' },
      project: { type: 'string', default: process.cwd() },
    },
  });
  if (values.out === undefined || (values.arch !== 'x64' && values.arch !== 'arm64')) {
    throw new BundleError('usage: finish-bundle.ts --out DIR --arch x64|arm64 [--project DIR]');
  }
  const report = finishBundle({ outDir: values.out, arch: values.arch, projectDir: values.project });
  const vendored = report.vendored.length === 0 ? 'no native packages' : report.vendored.join(', ');
  process.stderr.write(
    `finish-bundle: ${(report.bytes / 1_048_576).toFixed(1)} MiB unzipped, linux/${values.arch}, ${vendored}\n`,
  );
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`finish-bundle: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
