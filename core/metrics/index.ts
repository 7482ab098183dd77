export { forecastMetrics, type ForecastMetrics, type ForecastSample } from './forecast-metrics.js';
export {
  EpochJsonSchema,
  ForecastMetricsJsonSchema,
  MetricsSchema,
  type ForecastMetricsJson,
  type Metrics,
} from './schema.js';
