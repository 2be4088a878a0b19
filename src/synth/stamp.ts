import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { PLATFORM_FILE, type Project } from '../model/project';
import { codeIdentity, filesUnder, inputDigests, readProjectFiles } from './inputs';

/**
 * What a stack's output was built from, kept in its manifest.json entry (under `tenantctl`, a key
 * cdktf does not read) so that `validate` and the head side of `changed` reuse output that is up
 * to date instead of synthesizing it again.
 */
export interface StackStamp {
  /** inputDigests() of the stack, salted with codeIdentity(). */
  readonly inputs: string;
  /** Digest of the stack directory's files, so output edited by hand is not taken for the synth's. */
  readonly output: string;
}

/** A manifest.json as tenantctl writes it: cdktf's, with a stamp on each stack tenantctl synthesized from disk. */
export interface Manifest {
  version: string;
  stacks: Record<string, { readonly tenantctl?: StackStamp } & Record<string, unknown>>;
}

/** Where cdktf writes a stack's output in a synth directory (its manifest's workingDirectory). */
export function stackOutputDir(outdir: string, name: string): string {
  return path.join(outdir, 'stacks', name);
}

/** A stack's Terraform JSON in an output directory (cdktf's `synthesizedStackPath`). */
export function stackFile(outdir: string, name: string): string {
  return path.join(stackOutputDir(outdir, name), 'cdk.tf.json');
}

/** Digest of a stack directory's files, as StackStamp.output records it. */
export function outputDigest(stackDir: string): string {
  const hash = createHash('sha256');
  for (const file of filesUnder(stackDir)) hash.update(`${file}\0`).update(fs.readFileSync(path.join(stackDir, file)));
  return hash.digest('hex');
}

/** The input digests to stamp a synth of `project` with; nothing when it is not on disk (built in memory). */
export function stampInputs(project: Project): Map<string, string> | undefined {
  if (!fs.existsSync(path.join(project.dir, PLATFORM_FILE))) return undefined;
  return inputDigests(project, readProjectFiles(project.dir), codeIdentity());
}

/**
 * Stacks whose output in `outdir` is up to date: stamped in its manifest with these inputs
 * (stampInputs of the project now), and untouched since.
 */
export function upToDateStacks(inputs: ReadonlyMap<string, string> | undefined, outdir: string, manifest: Manifest | undefined): Set<string> {
  const fresh = new Set<string>();
  if (!manifest) return fresh;
  for (const [name, digest] of inputs ?? []) {
    const stamp = manifest.stacks[name]?.tenantctl;
    const dir = stackOutputDir(outdir, name);
    if (stamp?.inputs === digest && fs.existsSync(dir) && stamp.output === outputDigest(dir)) fresh.add(name);
  }
  return fresh;
}
