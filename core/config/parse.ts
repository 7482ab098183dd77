import type * as z from 'zod';
import { ConfigError } from './errors.js';
import { dropRetiredKeys } from './retired.js';
import { ConfigSchema, type Config } from './schema.js';
import { issuePath } from '../validation/index.js';

/** Validates an already merged tree; used by loadConfig and by tests that build configurations. */
export function parseConfig(tree: unknown, sources: readonly string[] = ['(object)']): Config {
  dropRetiredKeys(tree);
  const result = ConfigSchema.safeParse(tree);
  if (!result.success) throw new ConfigError(toProblems(result.error), sources, { cause: result.error });
  return result.data;
}

function toProblems(error: z.ZodError): { key: string; reason: string }[] {
  return error.issues.map((issue) => ({ key: issuePath(issue), reason: issue.message }));
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Mappings merge key by key; anything else (lists included) replaces. */
export function deepMerge(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = merged[key];
    merged[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value;
  }
  return merged;
}
