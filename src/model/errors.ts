/**
 * Errors a user can act on. The CLI prints `message` (and `hint`) without a stack trace and
 * exits with `exitCode`: 1 for configuration and input errors, 2 for command-line usage errors,
 * 130/143 for a run stopped by SIGINT/SIGTERM (src/runtime/interrupt.ts).
 */
export class TenantctlError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode: 1 | 2 | 130 | 143 = 1,
  ) {
    super(message);
    this.name = 'TenantctlError';
  }
}

/** A value in a configuration file (or given on the command line) is invalid. */
export class ConfigError extends TenantctlError {
  constructor(
    readonly file: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    super(
      `${file} is invalid:\n` + issues.map((i) => `  - ${formatIssue(i)}`).join('\n'),
      'Fix the values named above and run the command again; nothing was written.',
    );
    this.name = 'ConfigError';
  }
}

export interface ConfigIssue {
  /** Dotted path of the field at fault, e.g. `network.vpcCidr`. Empty for the whole file. */
  readonly field: string;
  readonly message: string;
  readonly value?: unknown;
}

function formatIssue(issue: ConfigIssue): string {
  const where = issue.field ? `${issue.field}: ` : '';
  const got = issue.value === undefined ? '' : ` (got ${JSON.stringify(issue.value)})`;
  return `${where}${issue.message}${got}`;
}

/**
 * A value a construct cannot build (aws-cdk's ValidationError). The configuration layer checks
 * every rule a user's files can break before any construct runs; a construct check that remains
 * guards its own props and throws this, which the CLI prints like a configuration error: where,
 * the value, the fix, and no stack trace.
 */
export class ValidationError extends ConfigError {
  constructor(file: string, field: string, message: string, value?: unknown) {
    super(file, [{ field, message, value }]);
    this.name = 'ValidationError';
  }
}

/** A command-line usage error (unknown option, missing argument, missing value in a non-interactive run). */
export class UsageError extends TenantctlError {
  constructor(message: string, hint?: string) {
    super(message, hint, 2);
    this.name = 'UsageError';
  }
}
