import type { Reporter } from '../app/reporter';
import { UsageError } from '../model/errors';
import { createProgress } from './progress';

/** Output helpers: people get aligned text, machines get JSON on stdout; errors go to stderr. */
export type OutputFormat = 'human' | 'json';

export function parseOutputFormat(value: string | undefined, allowed: readonly string[] = ['human', 'json']): string {
  const v = value ?? 'human';
  if (!allowed.includes(v)) {
    throw new UsageError(`--output ${v} is not supported: use one of ${allowed.join(', ')}`);
  }
  return v;
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Renders rows as an aligned table with a header. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  return [line(headers), ...rows.map(line)].join('\n');
}

/** Prints a line for people unless --quiet. */
export function info(quiet: boolean | undefined, message: string): void {
  if (!quiet) process.stdout.write(message + '\n');
}

/** How an application function reports: lines for people unless --quiet, warnings and notes on stderr, progress on a terminal. */
export function reporter(quiet: boolean | undefined): Reporter {
  return {
    info: (message) => info(quiet, message),
    warn: (message) => process.stderr.write(`warning: ${message}\n`),
    note: (message) => process.stderr.write(`note: ${message}\n`),
    progress: createProgress,
  };
}
