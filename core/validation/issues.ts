import type * as z from 'zod';

/**
 * One way to write zod issues for people, for every boundary that validates with zod (configuration,
 * artifacts, scaler, request parameters): `path: message`, the path dotted.
 */

/** The issue's path, dotted (`serving.refresh_seconds`, `data_min.3`); '' for the value itself. */
export function issuePath(issue: z.core.$ZodIssue): string {
  return issue.path.map(String).join('.');
}

export interface IssueLinesOptions {
  /**
   * What names the value itself when an issue has no path: '(root)' by default; null for the bare
   * message.
   */
  readonly root?: string | null;
  /** Lines at most; one more line counts the issues left out. No limit by default. */
  readonly limit?: number;
}

/** `path: message` for each issue of `error`. */
export function issueLines(error: z.ZodError, options: IssueLinesOptions = {}): string[] {
  const root = options.root === undefined ? '(root)' : options.root;
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const lines = error.issues.slice(0, limit).map((issue) => {
    const path = issuePath(issue) || root;
    return path === null ? issue.message : `${path}: ${issue.message}`;
  });
  const left = error.issues.length - lines.length;
  return left > 0 ? [...lines, `and ${left} more issue${left > 1 ? 's' : ''}`] : lines;
}
