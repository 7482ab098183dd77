import {
  loadConfigFiles,
  type ConfigFileFormat,
  type LoadConfigOptions,
  type LoadedConfig,
} from './files.js';

/**
 * conf/{env}/parameters.json: the YAML files as a Lambda function's bundle holds them, written at bundling
 * (infra/bundling/finish-bundle.ts) so that the function needs no YAML parser. Measured in the cold
 * start: the yaml package was 115 KB of the bundle and parsing two files took 18 ms.
 */
export const JSON_CONFIG: ConfigFileFormat = {
  fileName: 'parameters.json',
  name: 'JSON',
  parse: (text) => JSON.parse(text) as unknown,
};

/** The configuration as a Lambda function reads it: JSON files beside the handler, then the environment. */
export function loadJsonConfig(options: LoadConfigOptions = {}): LoadedConfig {
  return loadConfigFiles(JSON_CONFIG, options);
}
