/**
 * The API under test, in a process of its own so that its memory is measured alone and the load
 * generator does not share its event loop: the Lambda handlers behind the local HTTP adapter, as
 * `npm start` serves them. The parent passes the whole configuration as JSON in FAULTS_CONFIG and the
 * API key in FAULTS_API_KEY; the worker answers `{ type: 'listening', url }` over IPC, then
 * `{ type: 'memory', ... }` to each `{ type: 'memory' }` (after a full GC, so heap figures compare).
 */
import { parseConfig } from '../../core/config/index.js';

export interface WorkerMemory {
  readonly type: 'memory';
  readonly rssMb: number;
  readonly heapUsedMb: number;
}

const config = parseConfig(JSON.parse(process.env['FAULTS_CONFIG'] ?? 'null'), ['FAULTS_CONFIG']);
const apiKey = process.env['FAULTS_API_KEY'] ?? '';

// The handlers' logger reads its level when first imported: silence it before that.
process.env['POWERTOOLS_LOG_LEVEL'] = 'SILENT';
const { createHandlers } = await import('../../functions/handlers/index.js');
const { startLocalApi } = await import('../../local/dev-server/adapter.js');
const { createRuntime } = await import('../../functions/runtime.js');
const runtime = createRuntime(config);
const api = await startLocalApi({
  handlers: createHandlers(runtime),
  apiKeys: [apiKey],
  port: 0,
  host: '127.0.0.1',
  // A crash is counted by the parent from the answers; the stack must not reach the bench's output.
  onError: () => {},
});

const mb = (bytes: number): number => Math.round((bytes / 1_048_576) * 10) / 10;
process.on('message', (message: unknown) => {
  if (typeof message === 'object' && message !== null && 'type' in message && message.type === 'memory') {
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const usage = process.memoryUsage();
    const reply: WorkerMemory = { type: 'memory', rssMb: mb(usage.rss), heapUsedMb: mb(usage.heapUsed) };
    process.send?.(reply);
  }
});
process.once('disconnect', () => {
  void Promise.all([api.close(), runtime.close()]).finally(() => process.exit(0));
});
process.send?.({ type: 'listening', url: api.url });
