/**
 * The pipeline's log: one line per event. JSON lines where a machine reads them
 * (AWS Batch ships stdout to CloudWatch; LOG_FORMAT=json), short text for people.
 */
export type LogFields = Readonly<Record<string, unknown>>;

export interface Log {
  info(event: string, message: string, fields?: LogFields): void;
  warn(event: string, message: string, fields?: LogFields): void;
  error(event: string, message: string, fields?: LogFields): void;
}

export type LogFormat = 'json' | 'text';

export function defaultLogFormat(
  environment: Readonly<Record<string, string | undefined>> = process.env,
): LogFormat {
  if (environment['LOG_FORMAT'] === 'json' || environment['LOG_FORMAT'] === 'text')
    return environment['LOG_FORMAT'];
  return environment['AWS_BATCH_JOB_ID'] === undefined ? 'text' : 'json';
}

export function createLog(
  format: LogFormat = defaultLogFormat(),
  write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Log {
  const emit = (level: string, event: string, message: string, fields: LogFields = {}): void => {
    if (format === 'json') {
      write(JSON.stringify({ time: new Date().toISOString(), level, event, message, ...fields }));
    } else {
      write(`${level === 'info' ? '' : `${level.toUpperCase()} `}${message}`);
    }
  };
  return {
    info: (event, message, fields) => emit('info', event, message, fields),
    warn: (event, message, fields) => emit('warn', event, message, fields),
    error: (event, message, fields) => emit('error', event, message, fields),
  };
}

/** A log that keeps nothing, for tests and library callers. */
export const silentLog: Log = { info: () => {}, warn: () => {}, error: () => {} };

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
