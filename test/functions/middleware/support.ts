import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { fixture } from '../events.js';

export { fixture };

/** The healthz fixture with another method and query string: a plain event for middleware tests. */
export function event(
  method: string,
  query: Record<string, string> = {},
  body: string | null = null,
): APIGatewayProxyEvent {
  const base = fixture('healthz-get');
  const entries = Object.entries(query);
  return {
    ...base,
    httpMethod: method,
    body,
    queryStringParameters: entries.length === 0 ? null : { ...query },
    multiValueQueryStringParameters:
      entries.length === 0 ? null : Object.fromEntries(entries.map(([k, v]) => [k, [v]])),
  };
}

export interface CapturedLogger {
  readonly logger: Logger;
  /** Every line written so far, parsed. */
  readonly lines: Record<string, unknown>[];
}

/** A Logger whose JSON lines are kept instead of printed, serialised exactly as Powertools prints them. */
class KeepingLogger extends Logger {
  public readonly lines: Record<string, unknown>[] = [];

  protected override printLog(_level: number, log: Parameters<Logger['printLog']>[1]): void {
    this.lines.push(JSON.parse(JSON.stringify(log.getAttributes(), this.getJsonReplacer())));
  }
}

export function captureLogger(): CapturedLogger {
  const logger = new KeepingLogger({ serviceName: 'test', logLevel: 'DEBUG' });
  return { logger, lines: logger.lines };
}
