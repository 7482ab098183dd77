import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root: NodejsFunction's project root, the Docker build context, where conf/ is. */
export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
