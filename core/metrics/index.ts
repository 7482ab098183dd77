export { forecastMetrics, type ForecastMetrics, type ForecastSample } from './forecast-metrics.js';
export {
  BackendSummarySchema,
  DistributionMetricsSchema,
  EpochJsonSchema,
  ForecastMetricsJsonSchema,
  MetricsSchema,
  ModelSummarySchema,
  type DistributionMetrics,
  type ForecastMetricsJson,
  type Metrics,
  type ModelSummary,
} from './schema.js';
