import { parentPort, workerData } from 'worker_threads';

/** Stacks of a project on disk for a worker to build into `outdir`. */
export interface SynthWorkerJob {
  readonly dir: string;
  readonly outdir: string;
  readonly stacks: string[];
}

/**
 * What a worker thread is started with: the jobs to build, or none for a thread started ahead of
 * time (prewarmSynthesis), which loads cdktf and waits for its jobs in a message of this shape.
 */
export interface SynthWorkerData {
  readonly jobs?: readonly SynthWorkerJob[];
}

/** What a worker tells the main thread: each stack written, then done or failed. */
export type SynthWorkerMessage =
  { readonly kind: 'stack'; readonly name: string } | { readonly kind: 'done' } | { readonly kind: 'failed'; readonly message: string };

const post = (message: SynthWorkerMessage) => parentPort!.postMessage(message);

const { jobs } = workerData as SynthWorkerData;

/**
 * Loaded here, not at the top, so that a failure to load is reported like any other. A thread
 * started ahead of time also loads what nearly every synthesis needs (cdktf, the providers, the
 * tenant constructs) while it waits.
 */
function load(ahead: boolean) {
  const { loadProject } = require('../project/project') as typeof import('../project/project');
  const { synthesizeApp } = require('./app') as typeof import('./app');
  if (ahead) require('../../stacks/tenant-stack');
  return { loadProject, synthesizeApp };
}

let loaded: ReturnType<typeof load> | undefined;
let loadError: unknown;
try {
  loaded = load(!jobs);
} catch (err) {
  loadError = err;
}

function run(jobs: readonly SynthWorkerJob[]): void {
  try {
    if (!loaded) throw loadError;
    for (const job of jobs)
      loaded.synthesizeApp(loaded.loadProject(job.dir), {
        outdir: job.outdir,
        only: new Set(job.stacks),
        onStack: (name) => post({ kind: 'stack', name }),
      });
    post({ kind: 'done' });
  } catch (err) {
    post({ kind: 'failed', message: (err as Error)?.message ?? String(err) });
  }
}

if (jobs) run(jobs);
else parentPort!.once('message', (data: SynthWorkerData) => run(data.jobs ?? []));
