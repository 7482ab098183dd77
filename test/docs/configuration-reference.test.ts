import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as z from 'zod';
import { ConfigSchema } from '../../core/config/schema.js';
import { ROOT } from '../support/run-cli.js';

/**
 * Every key path of a configuration schema, parents before their children: through objects, the
 * options of a union (distribution.family's shapes), and the default, nullable and optional wrappers.
 */
function keyPaths(schema: z.ZodType, prefix = ''): string[] {
  if (schema instanceof z.ZodDefault || schema instanceof z.ZodNullable || schema instanceof z.ZodOptional) {
    return keyPaths(schema.unwrap() as z.ZodType, prefix);
  }
  if (schema instanceof z.ZodObject) {
    return Object.entries(schema.shape as Record<string, z.ZodType>).flatMap(([name, child]) => [
      `${prefix}${name}`,
      ...keyPaths(child, `${prefix}${name}.`),
    ]);
  }
  if (schema instanceof z.ZodUnion) {
    return [...new Set((schema.options as z.ZodType[]).flatMap((option) => keyPaths(option, prefix)))];
  }
  return [];
}

describe('the configuration reference page', () => {
  const page = readFileSync(join(ROOT, 'docs', 'configuration.md'), 'utf8');
  const keys = keyPaths(ConfigSchema);

  it('reads the nested keys of the schema', () => {
    // Prepare, Act: above. Assess: the walk reaches a union's options and a defaulted section's keys.
    assert.ok(keys.includes('distribution.family.nu'));
    assert.ok(keys.includes('distribution.inputs.hour_harmonics'));
    assert.ok(keys.includes('serving.cors_origins'));
  });

  it('names every key of the schema, in a code span', () => {
    const missing = keys.filter((key) => !page.includes(`\`${key}\``));
    assert.deepEqual(missing, []);
  });
});
