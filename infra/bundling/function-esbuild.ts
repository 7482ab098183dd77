import type { BuildOptions } from 'esbuild';
import { LEFT_OUT_PACKAGES, VENDORED_PACKAGES } from './finish-bundle.js';

/**
 * The esbuild options every Lambda function is bundled with: infra/lib/function-bundling.ts hands them to
 * NodejsFunction, and the cold-start bench and the bundle tests give them to esbuild directly, so that
 * what they measure and check is what ships.
 *
 * - ESM, because the handlers and core/ are ESM and core/config reads `import.meta.url` at load time; a
 *   `require` made with createRequire keeps bundled CJS packages that call require() on built-ins working.
 * - Everything bundled but the native packages finish-bundle.ts vendors and those it leaves out.
 */
export const FUNCTION_ESBUILD = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  mainFields: ['module', 'main'],
  banner: {
    js: "import { createRequire as __murCreateRequire } from 'node:module'; const require = __murCreateRequire(import.meta.url);",
  },
  external: [...VENDORED_PACKAGES, ...LEFT_OUT_PACKAGES],
  minify: true,
} as const satisfies BuildOptions;
