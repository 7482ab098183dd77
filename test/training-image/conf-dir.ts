import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from '../support/run-cli.js';

/**
 * A configuration folder `dir`/conf as the command lines read it (MUR_CONF_DIR): the real base, and one
 * environment over it for each entry of `environments`, whose parameters.yaml holds the lines given.
 * Returns the folder's path.
 */
export async function writeConfDir(
  dir: string,
  environments: Readonly<Record<string, readonly string[]>>,
): Promise<string> {
  const conf = join(dir, 'conf');
  await mkdir(join(conf, 'base'), { recursive: true });
  await copyFile(join(ROOT, 'conf/base/parameters.yaml'), join(conf, 'base/parameters.yaml'));
  for (const [name, lines] of Object.entries(environments)) {
    await mkdir(join(conf, name), { recursive: true });
    await writeFile(join(conf, name, 'parameters.yaml'), lines.join('\n'));
  }
  return conf;
}
