import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { TenantctlError } from '../config/errors';
import { writeJsonAtomic } from '../config/files';
import { PLATFORM_FILE, type Project } from '../config/project';
import type { SynthWorkerData } from './synth-worker';
import { buildApp, stackNames } from './app';

export const OUTDIR = 'cdktf.out';

export interface SynthOptions {
  /** Output directory; default `<project>/cdktf.out`, or `CDKTF_OUTDIR` when cdktf-cli runs us. */
  readonly outdir?: string;
  /** Synthesize only these stacks and keep the others' output as it is. */
  readonly stacks?: readonly string[];
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

interface Manifest {
  version: string;
  stacks: Record<string, unknown>;
}

/**
 * Synthesizes a project into cdktf's layout (`manifest.json`, `stacks/<name>/cdk.tf.json`).
 *
 * The app is synthesized into a staging directory beside the output and each stack directory is
 * then swapped in with renames, and manifest.json is merged and written atomically. That makes a
 * partial synth (`tenant add` synthesizes one tenant's stack) cost the same with 5 or 500
 * tenants, and a reader (cdktf, `tenantctl validate`) never sees a half-written stack.
 */
export function synthesize(project: Project, options: SynthOptions = {}): SynthResult {
  const outdir = path.resolve(project.dir, options.outdir ?? process.env.CDKTF_OUTDIR ?? OUTDIR);
  const all = stackNames(project);
  const selected = options.stacks ? [...new Set(options.stacks)] : all;
  const unknown = selected.filter((s) => !all.includes(s));
  if (unknown.length) {
    throw new TenantctlError(`unknown stack ${unknown.join(', ')}`, `Stacks in this project: ${all.join(', ')}`);
  }
  fs.mkdirSync(outdir, { recursive: true });
  const staging = fs.mkdtempSync(path.join(outdir, '.staging-'));
  try {
    const parts = buildStaged(project, selected, staging);
    const staged = parts.map((part) => ({ dir: part, manifest: readManifest(part)! }));
    const current = readManifest(outdir) ?? { version: staged[0].manifest.version, stacks: {} };
    const stacksDir = path.join(outdir, 'stacks');
    fs.mkdirSync(stacksDir, { recursive: true });
    for (const part of staged) {
      for (const name of Object.keys(part.manifest.stacks)) {
        replaceDir(path.join(part.dir, 'stacks', name), path.join(stacksDir, name));
        current.stacks[name] = part.manifest.stacks[name];
      }
    }
    // Drop outputs of stacks that left the project (a removed tenant) so nobody plans them.
    const removed = Object.keys(current.stacks).filter((s) => !all.includes(s));
    for (const name of removed) {
      delete current.stacks[name];
      fs.rmSync(path.join(stacksDir, name), { recursive: true, force: true });
    }
    current.version = staged[0].manifest.version;
    current.stacks = Object.fromEntries(all.filter((s) => s in current.stacks).map((s) => [s, current.stacks[s]]));
    writeJsonAtomic(path.join(outdir, 'manifest.json'), current);
    return { outdir, written: selected, removed, threads: parts.length };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** Stacks per worker below which a worker thread costs more (it loads cdktf and the providers) than it saves. */
const STACKS_PER_WORKER = 60;
const WORKER_TIMEOUT_MS = 20 * 60_000;

/**
 * Builds the selected stacks into staging directories and returns them. A large synth (hundreds
 * of tenants) is split across worker threads, one per CPU: synthesis is CPU-bound and each stack
 * is independent. The threads load the project from disk, so only a project that is on disk, run
 * from compiled JavaScript, is split; the caller blocks until all are done (synthesize stays
 * synchronous for its callers).
 */
function buildStaged(project: Project, selected: string[], staging: string): string[] {
  const workerFile = path.join(__dirname, 'synth-worker.js');
  const threads = Math.min(os.availableParallelism(), Math.floor(selected.length / STACKS_PER_WORKER));
  if (threads < 2 || !fs.existsSync(workerFile) || !fs.existsSync(path.join(project.dir, PLATFORM_FILE))) {
    buildApp(project, { outdir: staging, only: new Set(selected) }).synth();
    return [staging];
  }
  // Round robin, so that every part gets its share of tenants; the platform stack stays here.
  const chunks = Array.from({ length: threads }, (_, i) => selected.filter((_, j) => j % threads === i));
  const parts = chunks.map((_, i) => path.join(staging, `part-${i}`));
  const workers = chunks.slice(1).map((stacks, i) => {
    const signal = new Int32Array(new SharedArrayBuffer(4));
    const errorFile = path.join(staging, `error-${i + 1}`);
    const data: SynthWorkerData = { dir: project.dir, outdir: parts[i + 1], stacks, signal, errorFile };
    return { worker: new Worker(workerFile, { workerData: data }), signal, errorFile };
  });
  try {
    buildApp(project, { outdir: parts[0], only: new Set(chunks[0]) }).synth();
  } finally {
    // A thread that dies without a word (out of memory) must not hang the run.
    const deadline = Date.now() + WORKER_TIMEOUT_MS;
    for (const w of workers) while (Atomics.load(w.signal, 0) === 0 && Date.now() < deadline) Atomics.wait(w.signal, 0, 0, 1000);
    for (const w of workers) void w.worker.terminate();
  }
  const failed = workers.find((w) => Atomics.load(w.signal, 0) !== 1);
  if (failed) {
    const why = fs.existsSync(failed.errorFile) ? fs.readFileSync(failed.errorFile, 'utf8') : 'a synthesis thread stopped without finishing';
    throw new TenantctlError(`synthesis failed: ${why}`);
  }
  return parts;
}

function readManifest(dir: string): Manifest | undefined {
  const file = path.join(dir, 'manifest.json');
  if (!fs.existsSync(file)) return undefined;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as Manifest;
}

/** Moves `from` to `to`, replacing `to` with two renames (never leaves `to` half-written). */
function replaceDir(from: string, to: string): void {
  const old = `${to}.old-${process.pid}`;
  const hadOld = fs.existsSync(to);
  if (hadOld) fs.renameSync(to, old);
  fs.renameSync(from, to);
  if (hadOld) fs.rmSync(old, { recursive: true, force: true });
}
