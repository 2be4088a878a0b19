/**
 * Progress of long work (synth, validate, changed) on stderr: "synthesizing 120/212 stacks, 5.2 s",
 * redrawn in place. Only on a terminal, and only once the work has taken longer than a moment, so
 * quick commands, logs and pipes stay as they were; stdout (`--output json`) is never touched.
 * TENANTCTL_PROGRESS=1 forces it on (=0 off) whatever stderr is, which is how tests see it.
 */
export interface ProgressStream {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export interface ProgressOptions {
  readonly stream?: ProgressStream;
  /** Milliseconds before the first draw. */
  readonly delayMs?: number;
  readonly now?: () => number;
  readonly env?: NodeJS.ProcessEnv;
}

export interface Progress {
  /** Sets what is being done and how far it is (`done` of `total` stacks). */
  update(label: string, done: number, total: number): void;
  /** Clears the line; the caller prints its summary afterwards. */
  end(): void;
  /** Seconds since the reporter was made, for summaries. */
  elapsedSeconds(): number;
}

export const PROGRESS_ENV = 'TENANTCTL_PROGRESS';
const DEFAULT_DELAY_MS = 1000;
/** Redraws at most this often: a terminal write per stack of 500 would cost more than it shows. */
const REDRAW_MS = 100;
const CLEAR_LINE = '\r\x1b[K';

export function progressEnabled(stream: ProgressStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env[PROGRESS_ENV] === '1') return true;
  if (env[PROGRESS_ENV] === '0') return false;
  return stream.isTTY === true;
}

export function createProgress(options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  const delay = options.delayMs ?? DEFAULT_DELAY_MS;
  const enabled = progressEnabled(stream, options.env);
  const start = now();
  let state: { label: string; done: number; total: number } | undefined;
  let drawn = false;
  // Keeps the elapsed time moving while a step reports nothing (workers loading, the first stacks).
  let timer: NodeJS.Timeout | undefined;
  const elapsedSeconds = () => (now() - start) / 1000;
  const draw = () => {
    if (!state || now() - start < delay) return;
    drawn = true;
    stream.write(`${CLEAR_LINE}${state.label} ${state.done}/${state.total} stacks, ${elapsedSeconds().toFixed(1)} s`);
  };
  return {
    update(label, done, total) {
      if (!enabled) return;
      const first = !state;
      state = { label, done, total };
      if (first) draw();
      timer ??= setInterval(draw, REDRAW_MS).unref();
    },
    end() {
      if (timer) clearInterval(timer);
      timer = undefined;
      state = undefined;
      if (drawn) stream.write(CLEAR_LINE);
      drawn = false;
    },
    elapsedSeconds,
  };
}
