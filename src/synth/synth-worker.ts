import * as fs from 'fs';
import { workerData } from 'worker_threads';

/** What synthesize() hands a worker thread: build these stacks of the project on disk into `outdir`. */
export interface SynthWorkerData {
  readonly dir: string;
  readonly outdir: string;
  readonly stacks: string[];
  /** [0] is set to 1 (done) or 2 (failed) and notified; the parent waits on it synchronously. */
  readonly signal: Int32Array;
  /** Where the worker writes its error message when it fails. */
  readonly errorFile: string;
}

const data = workerData as SynthWorkerData;
try {
  // Loaded here, not at the top, so that a failure to load is reported like any other.
  const { loadProject } = require('../config/project') as typeof import('../config/project');
  const { buildApp } = require('./app') as typeof import('./app');
  buildApp(loadProject(data.dir), { outdir: data.outdir, only: new Set(data.stacks) }).synth();
  Atomics.store(data.signal, 0, 1);
} catch (err) {
  fs.writeFileSync(data.errorFile, (err as Error)?.message ?? String(err));
  Atomics.store(data.signal, 0, 2);
}
Atomics.notify(data.signal, 0);
