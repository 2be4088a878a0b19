import { parentPort, workerData } from 'worker_threads';

/**
 * What synthesizeEachInWorkers() hands each worker thread: the jobs (build these stacks of the
 * project on disk into `outdir`, this thread's part), and one claim flag per stack of all jobs
 * together, shared by the threads: a thread builds the stacks whose flag it sets first, so none
 * waits while another still has a queue (one large stack does not hold up the rest).
 */
export interface SynthWorkerData {
  readonly jobs: readonly { readonly dir: string; readonly outdir: string; readonly stacks: string[]; readonly firstClaim: number }[];
  /** Int32 flags, one per stack: 0 free, 1 claimed. */
  readonly claims: SharedArrayBuffer;
}

/**
 * What a worker tells the main thread: each stack written (of which job, and the digest of its
 * output, taken here so that the main thread, which installs every stack, need not read them all
 * back), then done or failed.
 */
export type SynthWorkerMessage =
  | { readonly kind: 'stack'; readonly job: number; readonly name: string; readonly output: string }
  | { readonly kind: 'done' }
  | { readonly kind: 'failed'; readonly message: string };

const data = workerData as SynthWorkerData;
const post = (message: SynthWorkerMessage) => parentPort!.postMessage(message);
try {
  // Loaded here, not at the top, so that a failure to load is reported like any other.
  const { loadProject } = require('../project/project') as typeof import('../project/project');
  const { synthesizeApp } = require('./app') as typeof import('./app');
  const { outputDigest, stackOutputDir } = require('./stamp') as typeof import('./stamp');
  const claims = new Int32Array(data.claims);
  for (const [j, job] of data.jobs.entries()) {
    const flag = new Map(job.stacks.map((name, i) => [name, job.firstClaim + i]));
    synthesizeApp(loadProject(job.dir), {
      outdir: job.outdir,
      only: new Set(job.stacks),
      claim: (name) => Atomics.compareExchange(claims, flag.get(name)!, 0, 1) === 0,
      onStack: (name) => post({ kind: 'stack', job: j, name, output: outputDigest(stackOutputDir(job.outdir, name)) }),
    });
  }
  post({ kind: 'done' });
} catch (err) {
  post({ kind: 'failed', message: (err as Error)?.message ?? String(err) });
}
