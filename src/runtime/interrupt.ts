import { TenantctlError } from '../model/errors';

/**
 * SIGINT and SIGTERM for the whole CLI. Work that must not stop half-way (it holds the project
 * lock, has staged output or a temporary directory) runs in a `cancellable` section: a signal
 * aborts `interruptSignal`, the section's own code stops at once (synthesis terminates its worker
 * threads) and unwinds through its `finally` blocks, which restore files, remove staging output
 * and release the lock; the command then ends with InterruptedError. Outside such a section
 * nothing is half-done, so the process exits straight away. A second signal exits at once.
 */

/** Exit codes of a run stopped by a signal: 128 + the signal number, as shells report it. */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
export type StopSignal = keyof typeof SIGNAL_EXIT_CODES;

export class InterruptedError extends TenantctlError {
  constructor(readonly signal: StopSignal) {
    super(
      `interrupted by ${signal}: the run stopped before finishing`,
      'Configuration and cdktf.out are as they were before it; run the command again.',
      SIGNAL_EXIT_CODES[signal],
    );
    this.name = 'InterruptedError';
  }
}

const controller = new AbortController();
let received: StopSignal | undefined;
let sections = 0;

/** Aborted when the run receives SIGINT or SIGTERM. */
export const interruptSignal: AbortSignal = controller.signal;

/** Throws InterruptedError when a stop signal has arrived; a check point between steps. */
export function throwIfInterrupted(): void {
  if (received) throw new InterruptedError(received);
}

/** Runs `fn` so that a stop signal lets it unwind instead of killing the process. */
export async function cancellable<T>(fn: () => Promise<T> | T): Promise<T> {
  throwIfInterrupted();
  sections++;
  try {
    return await fn();
  } finally {
    sections--;
  }
}

/** Installs the handlers; `bin/tenantctl.ts` calls it once. */
export function installInterruptHandlers(write: (text: string) => void = (t) => process.stderr.write(t)): void {
  for (const signal of Object.keys(SIGNAL_EXIT_CODES) as StopSignal[]) {
    process.on(signal, () => {
      if (received || sections === 0) {
        write(`${received ? 'stopped' : 'interrupted'} by ${signal}\n`);
        process.exit(SIGNAL_EXIT_CODES[received ?? signal]);
      }
      received = signal;
      controller.abort(new InterruptedError(signal));
    });
  }
}
