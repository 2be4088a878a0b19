import * as fs from 'fs';
import * as path from 'path';
import { TenantctlError } from '../config/errors';
import { writeJsonAtomic } from '../config/files';
import type { Project } from '../config/project';
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
    const app = buildApp(project, { outdir: staging, only: new Set(selected) });
    app.synth();
    const staged = readManifest(staging);
    const current = readManifest(outdir) ?? { version: staged!.version, stacks: {} };
    const stacksDir = path.join(outdir, 'stacks');
    fs.mkdirSync(stacksDir, { recursive: true });
    for (const name of selected) {
      replaceDir(path.join(staging, 'stacks', name), path.join(stacksDir, name));
      current.stacks[name] = staged!.stacks[name];
    }
    // Drop outputs of stacks that left the project (a removed tenant) so nobody plans them.
    const removed = Object.keys(current.stacks).filter((s) => !all.includes(s));
    for (const name of removed) {
      delete current.stacks[name];
      fs.rmSync(path.join(stacksDir, name), { recursive: true, force: true });
    }
    current.version = staged!.version;
    current.stacks = Object.fromEntries(all.filter((s) => s in current.stacks).map((s) => [s, current.stacks[s]]));
    writeJsonAtomic(path.join(outdir, 'manifest.json'), current);
    return { outdir, written: selected, removed };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
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
