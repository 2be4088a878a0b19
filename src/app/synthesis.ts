import * as path from 'path';
import type { Project } from '../model/project';
import { interruptSignal } from '../runtime/interrupt';
import type { SynthOptions, SynthResult } from '../synth/synthesize';
import { createProgress, type Progress } from './progress';

/** Up to this many stacks a summary names them; beyond, it counts them (`--verbose` names them all). */
const NAMED_STACKS = 5;

/**
 * How a command synthesizes: on worker threads, stopped by SIGINT/SIGTERM, with progress on a
 * terminal. `label` says what the progress line is doing ("synthesizing", "synthesizing the base").
 */
export async function synthesizeForCli(project: Project, options: SynthOptions, progress: Progress = createProgress(), label = 'synthesizing'): Promise<SynthResult> {
  const { synthesizeInWorkers } = await import('../synth/synthesize');
  try {
    return await synthesizeInWorkers(project, options, { signal: interruptSignal, onProgress: (done, total) => progress.update(label, done, total) });
  } finally {
    progress.end();
  }
}

/**
 * "synthesized 212 stacks into cdktf.out/ in 9.8 s (on 2 threads)": names the stacks when they are
 * few or `verbose`; the output directory relative to the working directory when it is below it.
 */
export function synthSummary(result: SynthResult, seconds: number, verbose = false): string {
  const { written, threads } = result;
  const what = written.length === 0 ? 'nothing' : verbose || written.length <= NAMED_STACKS ? written.join(', ') : `${written.length} stacks`;
  const relative = path.relative(process.cwd(), result.outdir);
  const where = relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? `${relative}${path.sep}` : result.outdir;
  return `synthesized ${what} into ${where} in ${seconds.toFixed(1)} s${threads > 1 ? ` (on ${threads} threads)` : ''}`;
}
