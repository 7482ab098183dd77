import type { LoadedModel } from './model-loader.js';

/**
 * Which loaded models have a run in progress, so that a model replaced by a newer version releases its
 * onnxruntime session only once its last run has ended: a swap never pulls a session out from under a
 * request.
 */
export class SessionLeases {
  private readonly running = new Map<LoadedModel, number>();
  private readonly retired = new Set<LoadedModel>();

  /** Runs `task` with `model`'s session held; a retired model is released when its last run ends. */
  public async hold<T>(model: LoadedModel, task: () => Promise<T>): Promise<T> {
    this.running.set(model, (this.running.get(model) ?? 0) + 1);
    try {
      return await task();
    } finally {
      const left = (this.running.get(model) ?? 1) - 1;
      if (left > 0) this.running.set(model, left);
      else {
        this.running.delete(model);
        if (this.retired.delete(model)) void releaseSessions(model);
      }
    }
  }

  /** A replaced model's session is released now if idle, or when its last run ends. */
  public retire(model: LoadedModel): void {
    if (this.running.has(model)) this.retired.add(model);
    else void releaseSessions(model);
  }
}

/** Both of a model's sessions, failures ignored: the model is no longer served either way. */
function releaseSessions(model: LoadedModel): void {
  void model.session.release().catch(() => undefined);
  void model.scaleSession?.release().catch(() => undefined);
}
