import { parentPort, workerData } from 'worker_threads';

/** What synthesizeEachInWorkers() hands a worker thread: for each job, build these stacks of the project on disk into `outdir`. */
export interface SynthWorkerData {
  readonly jobs: readonly { readonly dir: string; readonly outdir: string; readonly stacks: string[] }[];
}

/** What a worker tells the main thread: each stack written, then done or failed. */
export type SynthWorkerMessage =
  { readonly kind: 'stack'; readonly name: string } | { readonly kind: 'done' } | { readonly kind: 'failed'; readonly message: string };

const data = workerData as SynthWorkerData;
const post = (message: SynthWorkerMessage) => parentPort!.postMessage(message);
try {
  // Loaded here, not at the top, so that a failure to load is reported like any other.
  const { loadProject } = require('../project/project') as typeof import('../project/project');
  const { synthesizeApp } = require('./app') as typeof import('./app');
  for (const job of data.jobs)
    synthesizeApp(loadProject(job.dir), { outdir: job.outdir, only: new Set(job.stacks), onStack: (name) => post({ kind: 'stack', name }) });
  post({ kind: 'done' });
} catch (err) {
  post({ kind: 'failed', message: (err as Error)?.message ?? String(err) });
}
