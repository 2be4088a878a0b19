import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { writeJsonAtomic } from '../project/files';
import { listTenantIds, loadProject, platformFile, tenantFile } from '../project/project';
import { TENANTS_DIR, type Project } from '../model/project';
import { stackNames } from './app';
import { synthesize } from './synthesize';

/** How one stack's synthesized configuration changes, by Terraform address. */
export interface StackPreview {
  readonly name: string;
  readonly change: 'added' | 'modified' | 'removed';
  readonly added: string[];
  readonly changed: string[];
  readonly removed: string[];
}

type Blocks = Map<string, string>;

/** Every resource and data source of a cdk.tf.json by address (`aws_iam_role.x`, `data.aws_eks_cluster.y`), as text. */
function blocksOf(file: string): Blocks | undefined {
  if (!fs.existsSync(file)) return undefined;
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Record<string, Record<string, unknown>> | undefined>;
  const out: Blocks = new Map();
  for (const [kind, prefix] of [
    ['resource', ''],
    ['data', 'data.'],
  ] as const) {
    for (const [type, byName] of Object.entries(json[kind] ?? {})) {
      for (const [name, body] of Object.entries(byName as Record<string, unknown>)) out.set(`${prefix}${type}.${name}`, JSON.stringify(body));
    }
  }
  return out;
}

/** Compares the same stacks synthesized into two directories; unchanged stacks are left out. */
export function diffOutputs(beforeDir: string, afterDir: string, stacks: readonly string[]): StackPreview[] {
  const previews: StackPreview[] = [];
  for (const name of stacks) {
    const file = (dir: string) => path.join(dir, 'stacks', name, 'cdk.tf.json');
    const before = blocksOf(file(beforeDir));
    const after = blocksOf(file(afterDir));
    const b = before ?? new Map<string, string>();
    const a = after ?? new Map<string, string>();
    const added = [...a.keys()].filter((k) => !b.has(k));
    const removed = [...b.keys()].filter((k) => !a.has(k));
    const changed = [...a.keys()].filter((k) => b.has(k) && b.get(k) !== a.get(k));
    if (before && after && !added.length && !removed.length && !changed.length) continue;
    previews.push({ name, change: !before ? 'added' : !after ? 'removed' : 'modified', added, changed, removed });
  }
  return previews;
}

/** Configuration files to write over the project's in a preview: platform.json, tenants by id. */
export interface ProjectEdit {
  readonly platform?: unknown;
  readonly tenants?: Readonly<Record<string, unknown>>;
}

export interface Preview {
  readonly before: Project;
  readonly after: Project;
  readonly stacks: StackPreview[];
}

/**
 * What an edit of the configuration does, with nothing written to the project: the project is
 * copied with the edit into a temporary directory (so it loads and validates exactly as it would
 * from disk, worker threads included), both are synthesized there, and the stacks compared.
 * `select` picks the stacks to compare; by default every stack of either.
 */
export function previewEdit(dir: string, edit: ProjectEdit, select?: (before: Project, after: Project) => readonly string[]): Preview {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tenantctl-preview-'));
  try {
    const copy = path.join(tmp, 'project');
    fs.mkdirSync(path.join(copy, TENANTS_DIR), { recursive: true });
    fs.copyFileSync(platformFile(dir), platformFile(copy));
    for (const id of listTenantIds(dir)) fs.copyFileSync(tenantFile(dir, id), tenantFile(copy, id));
    if (edit.platform !== undefined) writeJsonAtomic(platformFile(copy), edit.platform);
    for (const [id, raw] of Object.entries(edit.tenants ?? {})) writeJsonAtomic(tenantFile(copy, id), raw);
    const before = loadProject(dir);
    const after = { ...loadProject(copy), dir };
    const stacks = select ? select(before, after) : [...new Set([...stackNames(before), ...stackNames(after)])];
    const synthInto = (project: Project, projectDir: string, sub: string) => {
      const present = new Set(stackNames(project));
      const outdir = path.join(tmp, sub);
      const wanted = stacks.filter((s) => present.has(s));
      if (wanted.length) synthesize({ ...project, dir: projectDir }, { outdir, stacks: wanted });
      return outdir;
    };
    return { before, after, stacks: diffOutputs(synthInto(before, dir, 'before'), synthInto(after, copy, 'after'), stacks) };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
