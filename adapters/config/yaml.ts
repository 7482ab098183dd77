import { parse as parseYaml } from 'yaml';
import {
  loadConfigFiles,
  type ConfigFileFormat,
  type LoadConfigOptions,
  type LoadedConfig,
} from './files.js';

/** conf/{env}/parameters.yaml, as the repository holds it. */
export const YAML_CONFIG: ConfigFileFormat = { fileName: 'parameters.yaml', name: 'YAML', parse: parseYaml };

/**
 * The configuration from conf/ (YAML) and the environment: what the training job, the local stack, the
 * CLIs and the CDK app read. Throws ConfigError naming every bad key.
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  return loadConfigFiles(YAML_CONFIG, options);
}
