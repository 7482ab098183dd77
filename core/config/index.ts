export { ConfigError, type ConfigProblem } from './errors.js';
export { ENV_OVERRIDES, type EnvOverrideName } from './environment.js';
export {
  DEFAULT_CONF_DIR,
  deepMerge,
  parseConfig,
  readTree,
  type ConfigFileFormat,
  type LoadConfigOptions,
  type LoadedConfig,
} from './assemble.js';
// The readers are imported from their own modules (load.ts, load-json.ts): the YAML one brings the yaml
// package, which a Lambda bundle importing this index for the schemas must not carry.
export * from './schema.js';
