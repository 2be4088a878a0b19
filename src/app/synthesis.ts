import * as path from 'path';
import type { Project } from '../model/project';
import { interruptSignal } from '../runtime/interrupt';
import type { SynthOptions, SynthResult } from '../synth/synthesize';

/**
 * The one lazy boundary of the CLI: the engines. Synthesis loads cdktf and the provider classes
 * (most of a run's start-up time and memory), and the policy engine that validates its output loads
 * every rule with a YAML parser; so src/synth and src/policy/engine (with its warm-up) are required
 * here, the first time a command needs them, and nowhere else. `tenantctl --help` and the commands
 * that only read or write files never load them.
 */
const synthesis = () => require('../synth/synthesize') as typeof import('../synth/synthesize');
const preview = () => require('../synth/preview') as typeof import('../synth/preview');
const changed = () => require('../synth/changed') as typeof import('../synth/changed');
const app = () => require('../synth/app') as typeof import('../synth/app');
const policy = () => require('../policy/engine') as typeof import('../policy/engine');
const warmup = () => require('../policy/warmup') as typeof import('../policy/warmup');
const costStacks = () => require('../synth/cost-stacks') as typeof import('../synth/cost-stacks');

/** What a long synthesis reports to; the CLI draws it on a terminal (src/cli/progress.ts). */
export interface SynthProgress {
  update(label: string, done: number, total: number): void;
  end(): void;
}

/** Up to this many stacks a summary names them; beyond, it counts them (`--verbose` names them all). */
const NAMED_STACKS = 5;

/**
 * How a command synthesizes: on worker threads, stopped by SIGINT/SIGTERM, reporting progress.
 * `label` says what the progress line is doing ("synthesizing", "synthesizing the base");
 * `onStack` gets each stack's file as it is written (SynthRun).
 */
export async function synthesizeProject(
  project: Project,
  options: SynthOptions,
  progress: SynthProgress,
  label = 'synthesizing',
  onStack?: (name: string, file: string) => void,
): Promise<SynthResult> {
  try {
    return await synthesis().synthesizeInWorkers(project, options, {
      signal: interruptSignal,
      onProgress: (done, total) => progress.update(label, done, total),
      onStack,
    });
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

type Synth = typeof import('../synth/synthesize');
type Preview = typeof import('../synth/preview');
type Changed = typeof import('../synth/changed');
type Policy = typeof import('../policy/engine');
type Warmup = typeof import('../policy/warmup');
type CostStacks = typeof import('../synth/cost-stacks');

/** synthesize(): in this thread, for commands that compare the output before and after. */
export const synthesizeHere = (...args: Parameters<Synth['synthesize']>): ReturnType<Synth['synthesize']> => synthesis().synthesize(...args);
/** Where a project's synthesized output goes (`CDKTF_OUTDIR` when cdktf-cli runs tenantctl). */
export const outdirOf = (dir: string): string => path.resolve(dir, process.env.CDKTF_OUTDIR ?? synthesis().OUTDIR);
/** The stacks of a project, in apply order. */
export const stackNames = (project: Project): string[] => app().stackNames(project);
export const previewEdit = (...args: Parameters<Preview['previewEdit']>): ReturnType<Preview['previewEdit']> => preview().previewEdit(...args);
export const diffOutputs = (...args: Parameters<Preview['diffOutputs']>): ReturnType<Preview['diffOutputs']> => preview().diffOutputs(...args);
export const changedStacks = (...args: Parameters<Changed['changedStacks']>): ReturnType<Changed['changedStacks']> =>
  changed().changedStacks(...args);
export const changedJson = (...args: Parameters<Changed['changedJson']>): ReturnType<Changed['changedJson']> => changed().changedJson(...args);
export const loadStacks = (...args: Parameters<Policy['loadStacks']>): ReturnType<Policy['loadStacks']> => policy().loadStacks(...args);
export const readConfig = (...args: Parameters<Policy['readConfig']>): ReturnType<Policy['readConfig']> => policy().readConfig(...args);
export const configOf = (...args: Parameters<Policy['configOf']>): ReturnType<Policy['configOf']> => policy().configOf(...args);
export const startValidationWarmup = (...args: Parameters<Warmup['startValidationWarmup']>): ReturnType<Warmup['startValidationWarmup']> =>
  warmup().startValidationWarmup(...args);
export const validateStacks = (...args: Parameters<Policy['validate']>): ReturnType<Policy['validate']> => policy().validate(...args);
export const platformStackOf = (...args: Parameters<CostStacks['platformStackOf']>): ReturnType<CostStacks['platformStackOf']> =>
  costStacks().platformStackOf(...args);
export const baseCostSide = (...args: Parameters<CostStacks['baseCostSide']>): ReturnType<CostStacks['baseCostSide']> =>
  costStacks().baseCostSide(...args);
