export { forecastMetrics, type ForecastMetrics, type ForecastSample } from './forecast-metrics.js';
export {
  BackendSummarySchema,
  DistributionMetricsSchema,
  EpochJsonSchema,
  ForecastMetricsJsonSchema,
  MetricsSchema,
  NetworkSummarySchema,
  type DistributionMetrics,
  type ForecastMetricsJson,
  type Metrics,
  type NetworkSummary,
} from './schema.js';
export { MODEL_PUBLISHED_LOG, TRAINING_EXIT_CODES } from './published-log.js';
export { DataSourceSchema, describeDataSource, type DataSource } from './data-source.js';
