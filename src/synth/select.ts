import picomatch from 'picomatch';
import { TenantctlError } from '../model/errors';

/**
 * The stacks named by `patterns`, exact names or globs (`tenant-*`, as a shell leaves them
 * quoted), in the project's (apply) order. A pattern that matches no stack is an error.
 */
export function selectStacks(all: readonly string[], patterns: readonly string[]): string[] {
  const matchers = patterns.map((p) => picomatch(p));
  const unmatched = patterns.filter((_, i) => !all.some((s) => matchers[i](s)));
  if (unmatched.length) {
    throw new TenantctlError(`no stack matches ${unmatched.map((p) => JSON.stringify(p)).join(', ')}`, `Stacks in this project: ${all.join(', ')}`);
  }
  return all.filter((s) => matchers.some((m) => m(s)));
}
