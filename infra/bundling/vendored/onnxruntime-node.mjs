// onnxruntime-node in a Lambda bundle, where infra/bundling/function-esbuild.ts aliases it to this file:
// the vendored package (finish-bundle.ts copies it into node_modules/ beside the handler) loaded with
// require. It is CommonJS, and an ES import of it makes Node run its export lexer over the package and
// onnxruntime-common and build a module facade: 57-63 ms against 29-34 ms for require, measured in a new
// Node 22 process on this project's machine, on every cold start.
import { createRequire } from 'node:module';

const ort = createRequire(import.meta.url)('onnxruntime-node');

export const { InferenceSession, Tensor, env, listSupportedBackends } = ort;
export default ort;
