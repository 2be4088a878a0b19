import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as v8 from 'v8';
import { Worker } from 'worker_threads';
import { TenantctlError } from '../model/errors';
import { isRunning, writeJsonAtomic } from '../project/files';
import { PLATFORM_FILE, type Project } from '../model/project';
import type { SynthWorkerData, SynthWorkerMessage } from './synth-worker';
import { stackNames, synthesizeApp } from './app';
import { outputDigest, stackFile, stackOutputDir, stampInputs, upToDateStacks, type Manifest } from './stamp';

export const OUTDIR = 'cdktf.out';

export interface SynthOptions {
  /** Output directory; default `<project>/cdktf.out`, or `CDKTF_OUTDIR` when cdktf-cli runs us. */
  readonly outdir?: string;
  /** Synthesize only these stacks and keep the others' output as it is. */
  readonly stacks?: readonly string[];
  /** Of those, skip the stacks whose output is up to date (same inputs and code, see stamp.ts). */
  readonly reuse?: boolean;
}

export interface SynthResult {
  readonly outdir: string;
  /** Stacks whose output was (re)written. */
  readonly written: string[];
  /** Stale stack outputs removed (stacks no longer in the project). */
  readonly removed: string[];
  /** Threads the stacks were built on. */
  readonly threads: number;
}

/** How a synthesis run reports and stops (`synthesizeInWorkers`). */
export interface SynthRun {
  /** Aborting it terminates the worker threads; the run rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Called after each stack is written to staging, with the count so far and the total. */
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Called after each stack is written to staging, with its `cdk.tf.json` there: read it at once,
   * since staging is removed when the synthesis ends (work done here runs while the other stacks are built).
   */
  readonly onStack?: (name: string, file: string) => void;
}

/** What a synthesis writes where: resolved once, before anything is staged. */
interface SynthPlan {
  readonly outdir: string;
  readonly all: string[];
  readonly selected: string[];
  /** What the stacks are built from, read before the synth (undefined: the project is not on disk). */
  readonly inputs?: ReadonlyMap<string, string>;
}

/** Where a project's synth goes: `outdir` (relative to the project), else `CDKTF_OUTDIR` when cdktf-cli runs us, else cdktf.out. */
export function outdirOf(project: Project, outdir?: string): string {
  return path.resolve(project.dir, outdir ?? process.env.CDKTF_OUTDIR ?? OUTDIR);
}

function planSynth(project: Project, options: SynthOptions): SynthPlan {
  const outdir = outdirOf(project, options.outdir);
  const all = stackNames(project);
  const requested = options.stacks ? [...new Set(options.stacks)] : all;
  const unknown = requested.filter((s) => !all.includes(s));
  if (unknown.length) {
    throw new TenantctlError(`unknown stack ${unknown.join(', ')}`, `Stacks in this project: ${all.join(', ')}`);
  }
  fs.mkdirSync(outdir, { recursive: true });
  removeLeftovers(outdir);
  const inputs = stampInputs(project);
  const fresh = options.reuse ? upToDateStacks(inputs, outdir, readManifest(outdir)) : new Set<string>();
  return { outdir, all, selected: requested.filter((s) => !fresh.has(s)), inputs };
}

/** Staging directories of this process are named after it, so leftovers of a killed run are known. */
const STAGING_PREFIX = '.staging-';
const stagingPrefix = () => `${STAGING_PREFIX}${process.pid}-`;
const oldSuffix = () => `.old-${process.pid}`;

/**
 * The staged output of one build: its part directories, and the output digest of each stack a
 * worker built (outputDigest; a stack built in this thread is digested when it is installed).
 */
interface Staged {
  readonly parts: readonly string[];
  readonly outputs: ReadonlyMap<string, string>;
}

const NOTHING_STAGED: Staged = { parts: [], outputs: new Map() };
const builtHere = (staging: string): Staged => ({ parts: [staging], outputs: new Map() });

/**
 * Synthesizes a project into cdktf's layout (`manifest.json`, `stacks/<name>/cdk.tf.json`), in this
 * thread. The CLI uses synthesizeInWorkers, which can be interrupted and reports progress.
 *
 * The app is synthesized into a staging directory beside the output and each stack directory is
 * then swapped in with renames, and manifest.json is merged and written atomically. That makes a
 * partial synth (`tenant add` synthesizes one tenant's stack) cost the same with 5 or 500
 * tenants, and a reader (cdktf, `tenantctl validate`) never sees a half-written stack.
 */
export function synthesize(project: Project, options: SynthOptions = {}): SynthResult {
  const plan = planSynth(project, options);
  if (!plan.selected.length) return install(plan, NOTHING_STAGED, undefined);
  const staging = fs.mkdtempSync(path.join(plan.outdir, stagingPrefix()));
  try {
    synthesizeApp(project, { outdir: staging, only: new Set(plan.selected) });
    return install(plan, builtHere(staging), stampInputs(project));
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * synthesize(), with the stacks built on worker threads while this thread stays free: it reports
 * progress as each stack is written and stops at once when `run.signal` aborts (the workers are
 * terminated, staging is removed, the output is left as it was). The swap into the output is
 * synchronous, so a signal arriving during it takes effect after it, never half-way.
 */
export async function synthesizeInWorkers(project: Project, options: SynthOptions = {}, run: SynthRun = {}): Promise<SynthResult> {
  return (await synthesizeEachInWorkers([{ project, options }], run))[0];
}

/** One synthesis of synthesizeEachInWorkers. */
export interface SynthJob {
  readonly project: Project;
  readonly options: SynthOptions;
}

/**
 * Several synthesizeInWorkers() (both sides of `changed`) on one set of threads, so that each
 * thread loads cdktf and the providers once; progress counts the stacks of all of them.
 */
export async function synthesizeEachInWorkers(jobs: readonly SynthJob[], run: SynthRun = {}): Promise<SynthResult[]> {
  const plans = jobs.map((job) => planSynth(job.project, job.options));
  const stagings = plans.map((plan) => (plan.selected.length ? fs.mkdtempSync(path.join(plan.outdir, stagingPrefix())) : undefined));
  try {
    const builds: Build[] = jobs.flatMap((job, i) =>
      stagings[i] ? [{ project: job.project, selected: plans[i].selected, staging: stagings[i]! }] : [],
    );
    const built = builds.length ? await buildInWorkers(builds, run) : [];
    run.signal?.throwIfAborted();
    let next = 0;
    return plans.map((plan, i) =>
      install(plan, stagings[i] ? built[next++] : NOTHING_STAGED, stagings[i] ? stampInputs(jobs[i].project) : undefined),
    );
  } finally {
    for (const staging of stagings) if (staging) fs.rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Swaps the staged stacks into the output and writes the merged manifest. `inputsAfter` are the
 * project's input digests read again once the stacks were built: a stack whose files changed
 * while it was built is installed unstamped (its output may be of either version), so neither
 * `validate` nor either side of `changed` takes it for the output of the inputs stamped on it.
 */
function install(plan: SynthPlan, { parts, outputs }: Staged, inputsAfter: ReadonlyMap<string, string> | undefined): SynthResult {
  const { outdir, all, selected } = plan;
  const staged = parts.map((part) => ({ dir: part, manifest: readManifest(part)! }));
  const missing = selected.filter((name) => !staged.some((part) => name in part.manifest.stacks));
  if (missing.length) {
    // The project changed on disk while it was synthesized (a tenant file moved away): nothing is installed.
    throw new TenantctlError(
      `synthesis wrote no output for ${missing.join(', ')}`,
      'The project changed while it was being synthesized; run the command again.',
    );
  }
  const current = readManifest(outdir) ?? { version: staged[0]?.manifest.version, stacks: {} };
  const stacksDir = path.join(outdir, 'stacks');
  fs.mkdirSync(stacksDir, { recursive: true });
  for (const part of staged) {
    for (const name of Object.keys(part.manifest.stacks)) {
      const installed = stackOutputDir(outdir, name);
      replaceDir(stackOutputDir(part.dir, name), installed);
      const inputs = plan.inputs?.get(name);
      const settled = inputs !== undefined && inputsAfter?.get(name) === inputs;
      const stamp = settled ? { tenantctl: { inputs, output: outputs.get(name) ?? outputDigest(installed) } } : {};
      current.stacks[name] = { ...part.manifest.stacks[name], ...stamp };
    }
  }
  // Drop outputs of stacks that left the project (a removed tenant) so nobody plans them.
  const removed = Object.keys(current.stacks).filter((s) => !all.includes(s));
  for (const name of removed) {
    delete current.stacks[name];
    fs.rmSync(path.join(stacksDir, name), { recursive: true, force: true });
  }
  if (staged.length) current.version = staged[0].manifest.version;
  current.stacks = Object.fromEntries(all.filter((s) => s in current.stacks).map((s) => [s, current.stacks[s]]));
  writeJsonAtomic(path.join(outdir, 'manifest.json'), current);
  return { outdir, written: selected, removed, threads: parts.length };
}

/**
 * Removes what a killed run (SIGKILL, a crash) left in the output: its staging directories, and
 * the old copy of a stack it was swapping, put back when the new copy never arrived. Only
 * leftovers of processes that are gone are touched; a live run's are its own.
 */
function removeLeftovers(outdir: string): void {
  const deadPid = (name: string, re: RegExp) => {
    const m = re.exec(name);
    return m !== null && Number(m[1]) !== process.pid && !isRunning(Number(m[1]));
  };
  for (const name of fs.readdirSync(outdir)) {
    if (deadPid(name, /^\.staging-(\d+)-/)) fs.rmSync(path.join(outdir, name), { recursive: true, force: true });
  }
  const stacksDir = path.join(outdir, 'stacks');
  if (!fs.existsSync(stacksDir)) return;
  for (const name of fs.readdirSync(stacksDir)) {
    if (!deadPid(name, /\.old-(\d+)$/)) continue;
    const stack = path.join(stacksDir, name.replace(/\.old-\d+$/, ''));
    if (fs.existsSync(stack)) fs.rmSync(path.join(stacksDir, name), { recursive: true, force: true });
    else fs.renameSync(path.join(stacksDir, name), stack);
  }
}

/** Stacks per worker below which another worker thread costs more (it loads cdktf and the providers) than it saves. */
const STACKS_PER_WORKER = 60;

/**
 * Young generation of a synthesis thread. A stack is built, written and let go (synthesizeApp), so
 * almost everything a thread allocates dies young; a small young generation collects it as often
 * at no measurable CPU cost and keeps each thread's memory near its floor (V8's default would let
 * two threads at 500 tenants take about 50 MB more). Smaller still costs CPU: at 8 MB the young
 * collections of a 500-tenant synth take a third longer in all.
 */
const WORKER_YOUNG_GENERATION_MB = 16;

/**
 * How far V8 lets a heap grow past what survived its last full collection before it collects
 * again: by 30%. A synthesis thread's old generation fills with the constructs of stacks already
 * written (they live through a few young collections while their stack is built), and V8's own
 * factor, up to 4x on a machine with much memory, let two threads at 500 tenants under Terraform
 * Cloud hold about 60 MB of that garbage (peak 348 MB, against 287 MB with this). The extra full
 * collections cost about 0.2 s of CPU there (--trace-gc). A V8 flag, since heap growth has no
 * per-thread option; it is read at each collection, so it is set before the threads start, and
 * test/cli/synth-threads.test.ts fails if V8 drops it (it would ignore it silently).
 */
export const HEAP_GROWING_FLAG = '--heap-growing-percent=30';

/** Stacks of one project to build into a staging directory. */
interface Build {
  readonly project: Project;
  readonly selected: readonly string[];
  readonly staging: string;
}

/**
 * Builds the selected stacks of each build into staging directories and returns them, per build.
 * Every stack is built on a worker thread, so this thread keeps serving signals and progress; a
 * large synth (hundreds of tenants) is split across one worker per CPU, each taking the next stack
 * nobody has taken (synthesis is CPU-bound and each stack is independent, but not all are the same
 * size: the Terraform Cloud bootstrap stack of the platform account holds every tenant's role).
 * The workers load the projects from disk, so a project that is not on disk, or code not run from
 * compiled JavaScript (ts-jest), is built in this thread instead.
 */
async function buildInWorkers(builds: readonly Build[], run: SynthRun): Promise<Staged[]> {
  const workerFile = path.join(__dirname, 'synth-worker.js');
  const total = builds.reduce((n, b) => n + b.selected.length, 0);
  let done = 0;
  const onStack = (outdir: string, name: string) => {
    run.onStack?.(name, stackFile(outdir, name));
    run.onProgress?.(++done, total);
  };
  if (!fs.existsSync(workerFile) || builds.some((b) => !fs.existsSync(path.join(b.project.dir, PLATFORM_FILE)))) {
    return builds.map((b) => {
      run.signal?.throwIfAborted();
      synthesizeApp(b.project, { outdir: b.staging, only: new Set(b.selected), onStack: (name) => onStack(b.staging, name) });
      return builtHere(b.staging);
    });
  }
  const threads = Math.max(1, Math.min(os.availableParallelism(), Math.floor(total / STACKS_PER_WORKER)));
  v8.setFlagsFromString(HEAP_GROWING_FLAG);
  // Every thread gets every job, with a part directory of its own; the claim flags share the stacks out.
  const claims = new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT * total);
  const firstClaims = builds.map((_, j) => builds.slice(0, j).reduce((n, b) => n + b.selected.length, 0));
  const parts = builds.map((b) => Array.from({ length: threads }, (_, i) => path.join(b.staging, `part-${i}`)));
  const workers = Array.from({ length: threads }, (_, i) => {
    const jobs = builds.map((b, j) => ({ dir: b.project.dir, outdir: parts[j][i], stacks: [...b.selected], firstClaim: firstClaims[j] }));
    return new Worker(workerFile, {
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
      workerData: { jobs, claims } satisfies SynthWorkerData,
    });
  });
  const outputs = builds.map(() => new Map<string, string>());
  // Once the callback given each stack has thrown, the stacks still arriving are not handed to it.
  let callbackFailed = false;
  const stop = () => Promise.all(workers.map((w) => w.terminate()));
  const finished = workers.map(
    (worker, i) =>
      new Promise<void>((resolve, reject) => {
        worker.on('message', (message: SynthWorkerMessage) => {
          if (message.kind === 'stack') {
            if (callbackFailed) return;
            outputs[message.job].set(message.name, message.output);
            // A callback that throws fails the synthesis, as it does in this thread, never the process.
            try {
              onStack(parts[message.job][i], message.name);
            } catch (err) {
              callbackFailed = true;
              reject(err instanceof Error ? err : new Error(String(err)));
            }
          } else if (message.kind === 'done') resolve();
          else reject(new TenantctlError(`synthesis failed: ${message.message}`));
        });
        worker.on('error', (err) => reject(new TenantctlError(`synthesis failed: ${err.message}`)));
        // A thread that dies without a word (out of memory) must not hang the run.
        worker.on('exit', () => reject(new TenantctlError('synthesis failed: a synthesis thread stopped without finishing')));
      }),
  );
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(run.signal!.reason);
    if (run.signal?.aborted) onAbort();
    run.signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([Promise.all(finished), aborted]);
  } finally {
    run.signal?.removeEventListener('abort', onAbort);
    // Also on failure or interrupt: nothing may write into staging after it is removed.
    await stop();
  }
  // A thread that claimed no stack of a build wrote no manifest for it (synthesizeApp).
  return parts.map((dirs, j) => ({ parts: dirs.filter((dir) => fs.existsSync(path.join(dir, 'manifest.json'))), outputs: outputs[j] }));
}

export function readManifest(dir: string): Manifest | undefined {
  const file = path.join(dir, 'manifest.json');
  if (!fs.existsSync(file)) return undefined;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
}

/** Moves `from` to `to`, replacing `to` with two renames (never leaves `to` half-written). */
function replaceDir(from: string, to: string): void {
  const old = `${to}${oldSuffix()}`;
  const hadOld = fs.existsSync(to);
  if (hadOld) fs.renameSync(to, old);
  fs.renameSync(from, to);
  if (hadOld) fs.rmSync(old, { recursive: true, force: true });
}
