export { forecastMetrics, type ForecastMetrics, type ForecastSample } from './forecast-metrics.js';
export {
  BackendSummarySchema,
  EpochJsonSchema,
  ForecastMetricsJsonSchema,
  MetricsSchema,
  NetworkSummarySchema,
  type ForecastMetricsJson,
  type Metrics,
  type NetworkSummary,
} from './schema.js';
export { MODEL_PUBLISHED_LOG } from './published-log.js';
export { DataSourceSchema, describeDataSource, type DataSource } from './data-source.js';
