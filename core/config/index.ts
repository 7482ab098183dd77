export { ConfigError, type ConfigProblem } from './errors.js';
export { ENV_OVERRIDES, type EnvOverrideName } from './environment.js';
export {
  DEFAULT_CONF_DIR,
  deepMerge,
  loadConfig,
  parseConfig,
  type LoadConfigOptions,
  type LoadedConfig,
} from './load.js';
export * from './schema.js';
