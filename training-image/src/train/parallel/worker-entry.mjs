// Worker threads do not inherit the TypeScript loader that `tsx` or `node --import tsx`
// registered in the main thread (Node 20), so the worker registers it for itself.
import { tsImport } from 'tsx/esm/api';

await tsImport('./worker.ts', import.meta.url);
