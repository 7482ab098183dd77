/**
 * Imported first by the handler tests, before functions/logger.ts creates its logger: Powertools
 * reads the level once, at construction, and restores it at every invocation, so it must be set in
 * the environment. POWERTOOLS_LOG_LEVEL=INFO npm test shows the logs.
 */
process.env['POWERTOOLS_LOG_LEVEL'] ??= 'SILENT';
