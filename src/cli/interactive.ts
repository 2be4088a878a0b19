import { UsageError } from '../model/errors';

/**
 * Prompts are shown only in a terminal: with no TTY on stdin, or with CI=true, tenantctl never
 * waits for input and a missing value is a usage error naming the flag to pass.
 */
export function isInteractive(): boolean {
  return Boolean(process.stdin.isTTY) && process.env.CI !== 'true';
}

/** The prompt library loads only when a prompt is shown: never in CI, scripts or `--help`. */
const promptLibrary = () => import('@inquirer/prompts');

export interface Question<T> {
  /** The flag that sets the value, for the error message in non-interactive runs. */
  readonly flag: string;
  readonly message: string;
  /** Value given on the command line, if any. */
  readonly given?: T;
  /** Default; absent means the value is required. */
  readonly default?: T;
  /** Returns an error message for a bad answer (prompts re-ask; flags fail). */
  readonly validate?: (value: T) => string | undefined;
  /** Choices for a select prompt. */
  readonly choices?: readonly { value: T; name: string; description?: string }[];
}

export interface AskOptions {
  /** `--yes`: take defaults without asking. */
  readonly yes: boolean;
}

/**
 * Resolves one value: the flag if given, else the default under --yes or outside a terminal, else
 * a prompt. A required value with no flag outside a terminal is a usage error.
 */
export async function ask<T extends string>(q: Question<T>, opts: AskOptions): Promise<T> {
  if (q.given !== undefined) return q.given;
  if (q.default !== undefined && (opts.yes || !isInteractive())) return q.default;
  if (!isInteractive()) {
    throw new UsageError(
      `missing ${q.flag}: ${q.message.replace(/[?:]\s*$/, '')} is required in a non-interactive run`,
      `Pass ${q.flag} <value> (prompts are only shown in a terminal, and never when CI=true).`,
    );
  }
  if (q.default === undefined && opts.yes) {
    throw new UsageError(`missing ${q.flag}: it has no default, so --yes cannot take one`, `Pass ${q.flag} <value>.`);
  }
  const prompts = await promptLibrary();
  if (q.choices) {
    return prompts.select<T>({ message: q.message, choices: q.choices.map((c) => ({ ...c })), default: q.default });
  }
  const answer = await prompts.input({
    message: q.message,
    default: q.default,
    required: q.default === undefined,
    validate: (v: string) => q.validate?.(v as T) ?? true,
  });
  return answer as T;
}

/** Asks for a yes/no confirmation; `--yes` answers yes; outside a terminal without --yes it is an error. */
export async function confirm(message: string, opts: AskOptions & { flag: string }): Promise<boolean> {
  if (opts.yes) return true;
  if (!isInteractive()) {
    throw new UsageError(`${message.replace(/\?$/, '')} needs confirmation`, `Pass ${opts.flag} to confirm in a non-interactive run.`);
  }
  const prompts = await promptLibrary();
  return prompts.confirm({ message, default: false });
}
