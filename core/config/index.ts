export { ConfigError, type ConfigProblem } from './errors.js';
export { ENV_OVERRIDES, type EnvOverrideName } from './environment.js';
export { deepMerge, parseConfig } from './parse.js';
export * from './schema.js';
export {
  DEFAULT_SCALE_NETWORK_CONFIG,
  ScaleNetworkConfigSchema,
  type ScaleNetworkConfig,
} from './scale-network.js';
