import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { SynthesizedStack } from '../model/cost/inventory';
import { platformNames } from '../model/names';
import type { Project } from '../model/project';
import { readBase } from './changed';
import { locateRepo, resolveCommit } from './git';
import { synthesize } from './synthesize';

/**
 * The synthesized stacks `tenantctl cost` prices: the platform stack, of the project as it is
 * (synthesized into its cdktf.out unless up to date there, as `validate` does) or of a git ref
 * (read from git and synthesized in a temporary directory, as `changed` does).
 */

function readStack(outdir: string, name: string): SynthesizedStack {
  return { name, json: JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', name, 'cdk.tf.json'), 'utf8')) };
}

/** The project's platform stack; reuses its output when it is up to date. */
export function platformStackOf(project: Project): SynthesizedStack {
  const name = platformNames(project.platform).stack;
  const { outdir } = synthesize(project, { stacks: [name], reuse: true });
  return readStack(outdir, name);
}

export interface BaseCostSide {
  readonly baseCommit: string;
  /** Absent when the project did not exist at the base. */
  readonly project?: Project;
  readonly platform?: SynthesizedStack;
}

/** The project and its platform stack at a git ref, synthesized by this tenantctl in a temporary directory. */
export function baseCostSide(dir: string, ref: string): BaseCostSide {
  const repo = locateRepo(dir);
  const baseCommit = resolveCommit(repo.top, ref);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tenantctl-cost-'));
  try {
    const { project } = readBase(repo, ref, baseCommit, path.join(tmp, 'base'));
    if (!project) return { baseCommit };
    const name = platformNames(project.platform).stack;
    const outdir = path.join(tmp, 'out');
    synthesize(project, { outdir, stacks: [name] });
    return { baseCommit, project, platform: readStack(outdir, name) };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
