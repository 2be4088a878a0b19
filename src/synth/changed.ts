import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TenantctlError } from '../model/errors';
import { orphanedTenantsError, orphansInLocalState } from '../project/lifecycle';
import { listTenantIds, loadProject } from '../project/project';
import { PLATFORM_FILE, TENANTS_DIR, type Project } from '../model/project';
import { releaseMoves, type ReleaseMove } from '../model/release-moves';
import { projectStacks, workspaceFor, type StackInfo, type StackKind } from '../model/workspaces';
import { listTree, locateRepo, readBlobs, resolveCommit, type RepoLocation } from './git';
import { filesUnder, inputDigests, readProjectFiles } from './inputs';
import { stampInputs, upToDateStacks } from './stamp';
import { outdirOf, readManifest, synthesizeEachInWorkers, type SynthJob, type SynthRun } from './synthesize';

/**
 * `tenantctl changed`: which stacks' synthesized configuration differs between a git ref and the
 * project as it is now. Both sides are synthesized with the code that runs now, so the answer is
 * "what would a plan of each workspace see", stack by stack, from the JSON itself rather than
 * from guesses about which file feeds which stack.
 */

export type StackChange = 'added' | 'modified' | 'removed';

export interface ChangedStack {
  readonly name: string;
  readonly kind: StackKind;
  readonly change: StackChange;
  /** `platform` or a service account; null for the workspaces stack (it talks to Terraform Cloud only). */
  readonly account: string | null;
  /** Terraform Cloud workspace the stack runs in; null without `terraformCloud`. */
  readonly workspace: string | null;
  /** Set when the stack is listed for another reason than a difference in its JSON. */
  readonly reason: string | null;
}

/** What package-lock.json records of the tenantctl package a project depends on. */
export interface LockedTenantctl {
  readonly version: string | null;
  readonly resolved: string | null;
  readonly integrity: string | null;
}

export interface ChangedResult {
  /** The ref as given. */
  readonly base: string;
  readonly baseCommit: string;
  /** Set when package-lock.json records another tenantctl at base than now. */
  readonly toolChange: { readonly base: LockedTenantctl | null; readonly head: LockedTenantctl | null } | null;
  /** Changed stacks in apply order (removed ones where they stood at base). */
  readonly stacks: ChangedStack[];
  /** Catalog services whose tag changes for some tenants, with those tenants and their waves. */
  readonly releases: ReleaseMove[];
}

/** The project files of the base commit: parsed (when it has a platform.json) and raw, for comparison. */
export interface BaseSide {
  readonly project?: Project;
  /** `platform.json` and `tenants/<id>.json` contents, by path relative to the project. */
  readonly files: Map<string, Buffer>;
  readonly lock?: Buffer;
}

export interface ChangedOptions {
  /**
   * Compare every stack both sides have, skipping the shortcut of stacksThatMayDiffer (tests prove
   * the shortcut with it); output up to date in cdktf.out is still reused.
   */
  readonly synthesizeAll?: boolean;
  /** Stops the synthesis (signal); `onProgress` counts the stacks of both sides. */
  readonly run?: SynthRun;
}

/**
 * Fails when a tenant file was deleted by hand: active at the base (or with resources in its local
 * state) and gone now. Its stack would be listed as removed and nobody would plan its destroy.
 * A tenant removed at the base (`tenant remove`, applied) may go: that is `tenant finalize`.
 */
function checkNoOrphans(dir: string, base: BaseSide, baseRef: string): void {
  const headIds = new Set(listTenantIds(dir));
  const fromGit = (base.project?.tenants ?? [])
    .filter((t) => t.status === 'active' && !headIds.has(t.id))
    .map((t) => ({ id: t.id, evidence: `it is active at ${baseRef}` }));
  const fromState = orphansInLocalState(dir).filter((o) => !fromGit.some((g) => g.id === o.id));
  const orphans = [...fromGit, ...fromState];
  if (orphans.length) throw orphanedTenantsError(orphans, baseRef);
}

export async function changedStacks(dir: string, baseRef: string, options: ChangedOptions = {}): Promise<ChangedResult> {
  const repo = locateRepo(dir);
  const baseCommit = resolveCommit(repo.top, baseRef);
  // The project as it is now is loaded first: its own errors are reported as usual.
  const head = loadProject(dir);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tenantctl-changed-'));
  try {
    const base = readBase(repo, baseRef, baseCommit, path.join(tmp, 'base'));
    checkNoOrphans(dir, base, baseRef);
    const toolChange = compareLocks(base.lock, headLock(repo));
    const baseStacks = base.project ? projectStacks(base.project) : [];
    const headStacks = projectStacks(head);
    const baseByName = new Map(baseStacks.map((s) => [s.name, s]));
    const headByName = new Map(headStacks.map((s) => [s.name, s]));

    const changes = new Map<string, { change: StackChange; reason: string | null }>();
    for (const s of headStacks) if (!baseByName.has(s.name)) changes.set(s.name, { change: 'added', reason: null });
    for (const s of baseStacks) if (!headByName.has(s.name)) changes.set(s.name, { change: 'removed', reason: null });
    const common = headStacks.filter((s) => baseByName.has(s.name)).map((s) => s.name);

    if (toolChange) {
      // Another tenantctl wrote the base's stacks. Its code is not installed here, so every stack
      // is listed: the new code may change any of them, and its plan shows how.
      const reason = `tenantctl ${toolChange.base?.version ?? 'unknown'} at base, ${toolChange.head?.version ?? 'unknown'} now (package-lock.json)`;
      for (const name of common) changes.set(name, { change: 'modified', reason });
    } else if (base.project && common.length) {
      const candidates = options.synthesizeAll ? common : stacksThatMayDiffer(base, head, dir, common);
      if (candidates.length) {
        // A side's stacks whose output in the project is up to date for that side's inputs are
        // compared from there; only the others are synthesized. Head's are when a synth ran since
        // the last edit; the base's when the last synth ran before it (the edit is what is compared).
        const projectOut = outdirOf(head);
        const manifest = readManifest(projectOut);
        const sides = [
          { project: base.project, outdir: path.join(tmp, 'base-out') },
          { project: head, outdir: path.join(tmp, 'head-out') },
        ].map((side) => {
          const reused = upToDateStacks(stampInputs(side.project), projectOut, manifest);
          return { ...side, reused, stacks: candidates.filter((name) => !reused.has(name)) };
        });
        // Both sides on one set of threads, counted as one progress.
        const jobs: SynthJob[] = sides
          .filter((side) => side.stacks.length)
          .map(({ project, outdir, stacks }) => ({ project, options: { outdir, stacks } }));
        await synthesizeEachInWorkers(jobs, options.run);
        const [before, after] = sides.map((side) => (name: string) => path.join(side.reused.has(name) ? projectOut : side.outdir, 'stacks', name));
        for (const name of candidates) {
          if (!sameTree(before(name), after(name))) changes.set(name, { change: 'modified', reason: null });
        }
      }
    }

    const stacks = applyOrder(
      baseStacks.map((s) => s.name),
      headStacks.map((s) => s.name),
    )
      .filter((name) => changes.has(name))
      .map((name) => {
        const { change, reason } = changes.get(name)!;
        // A removed stack is described by the base, where it still exists.
        const [project, info] = change === 'removed' ? [base.project!, baseByName.get(name)!] : [head, headByName.get(name)!];
        return describe(project, info, change, reason);
      });
    const releases = base.project ? releaseMoves(base.project, head) : [];
    return { base: baseRef, baseCommit, toolChange, stacks, releases };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * The stacks present on both sides whose JSON can differ, so that a pull request touching one
 * tenant among hundreds synthesizes a handful of stacks instead of every stack twice: both sides
 * run the same code, so a stack whose inputs (inputDigests) are the same on both is unchanged.
 */
function stacksThatMayDiffer(base: BaseSide, head: Project, dir: string, common: string[]): string[] {
  const before = inputDigests(base.project!, base.files);
  const after = inputDigests(head, readProjectFiles(dir));
  return common.filter((name) => before.get(name) !== after.get(name));
}

/** Reads the base commit's platform.json and tenants/*.json (and package-lock.json) into `into`. */
export function readBase(repo: RepoLocation, ref: string, commit: string, into: string): BaseSide {
  const platformPath = `${repo.prefix}${PLATFORM_FILE}`;
  const tenantsPath = `${repo.prefix}${TENANTS_DIR}/`;
  const locks = lockCandidates(repo.prefix);
  const entries = listTree(repo.top, commit, [platformPath, tenantsPath, ...locks]);
  const blobs = readBlobs(repo.top, [...new Set(entries.map((e) => e.blob))]);
  const byPath = new Map(entries.map((e) => [e.path, blobs.get(e.blob)!]));
  const lock = locks.map((p) => byPath.get(p)).find((b) => b !== undefined);

  const files = new Map<string, Buffer>();
  for (const [p, content] of byPath) {
    if (p === platformPath) files.set(PLATFORM_FILE, content);
    // Only files directly in tenants/, as loadProject reads them.
    else if (p.startsWith(tenantsPath) && p.endsWith('.json') && !p.slice(tenantsPath.length).includes('/'))
      files.set(`${TENANTS_DIR}/${p.slice(tenantsPath.length)}`, content);
  }
  // A base before the project existed: every stack of the project is new.
  if (!files.has(PLATFORM_FILE)) return { files, lock };
  for (const [p, content] of files) {
    fs.mkdirSync(path.dirname(path.join(into, p)), { recursive: true });
    fs.writeFileSync(path.join(into, p), content);
  }
  try {
    return { project: loadProject(into), files, lock };
  } catch (err) {
    if (!(err instanceof TenantctlError)) throw err;
    const where = repo.prefix ? ` (in ${repo.prefix})` : '';
    throw new TenantctlError(
      `the project at --base ${ref} (${commit.slice(0, 12)})${where} does not load with this tenantctl, so it cannot be compared:\n${err.message}`,
      'The base must be a valid project for the current configuration format: pick a later base, or fix the configuration on that branch.',
    );
  }
}

/** package-lock.json paths from the project directory up to the top level, nearest first. */
function lockCandidates(prefix: string): string[] {
  const parts = prefix.split('/').filter(Boolean);
  const out: string[] = [];
  for (let i = parts.length; i >= 0; i--) out.push([...parts.slice(0, i), 'package-lock.json'].join('/'));
  return out;
}

function headLock(repo: RepoLocation): Buffer | undefined {
  for (const rel of lockCandidates(repo.prefix)) {
    const file = path.join(repo.top, rel);
    if (fs.existsSync(file)) return fs.readFileSync(file);
  }
  return undefined;
}

/**
 * The tenantctl a project's package-lock.json pins (lockfile v2/v3 `packages`, or v1
 * `dependencies`). tenantctl's own repository has no such entry: there the code is the
 * working tree's, the same on both sides.
 */
/** A package entry of package-lock.json, as far as it is read here. */
interface LockEntry {
  readonly version?: unknown;
  readonly resolved?: unknown;
  readonly integrity?: unknown;
}

export function lockedTenantctl(lock: Buffer | undefined): LockedTenantctl | null {
  if (!lock) return null;
  // npm 7+ lists `packages`, npm 6 `dependencies`.
  let json: { packages?: Record<string, LockEntry>; dependencies?: Record<string, LockEntry> } | undefined;
  try {
    json = JSON.parse(lock.toString('utf8'));
  } catch {
    return null;
  }
  const entry = json?.packages?.['node_modules/tenantctl'] ?? json?.dependencies?.tenantctl;
  if (!entry || typeof entry !== 'object') return null;
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  return { version: str(entry.version), resolved: str(entry.resolved), integrity: str(entry.integrity) };
}

function compareLocks(baseLock: Buffer | undefined, headLockFile: Buffer | undefined): ChangedResult['toolChange'] {
  const base = lockedTenantctl(baseLock);
  const head = lockedTenantctl(headLockFile);
  if (!base && !head) return null;
  return JSON.stringify(base) === JSON.stringify(head) ? null : { base, head };
}

/**
 * Head's stacks in apply order, with each stack removed since the base put back after the stack
 * that preceded it at base (so a removed tenant stays among the tenants).
 */
export function applyOrder(baseNames: string[], headNames: string[]): string[] {
  const order = [...headNames];
  let anchor = -1;
  for (const name of baseNames) {
    const i = order.indexOf(name);
    if (i >= 0) anchor = i;
    else order.splice(++anchor, 0, name);
  }
  return order;
}

function describe(project: Project, info: StackInfo, change: StackChange, reason: string | null): ChangedStack {
  const tfc = project.platform.terraformCloud;
  return {
    name: info.name,
    kind: info.kind,
    change,
    account: info.accountName ?? null,
    // The workspaces stack runs in its own workspace in the platform account's project.
    workspace: tfc ? workspaceFor(project.platform, info.name, info.accountName ?? 'platform').workspace : null,
    reason,
  };
}

/** True when two stack directories hold the same files with the same bytes (cdk.tf.json and assets). */
function sameTree(a: string, b: string): boolean {
  if (!fs.existsSync(a) || !fs.existsSync(b)) return false;
  const fa = filesUnder(a);
  const fb = filesUnder(b);
  if (fa.length !== fb.length || fa.some((f, i) => f !== fb[i])) return false;
  return fa.every((f) => fs.readFileSync(path.join(a, f)).equals(fs.readFileSync(path.join(b, f))));
}

/** Group keys of the JSON output, in apply order. */
const GROUPS: readonly [StackKind, string][] = [
  ['workspaces', 'workspaces'],
  ['bootstrap', 'bootstrap'],
  ['platform', 'platform'],
  ['cluster', 'cluster'],
  ['tenant', 'tenants'],
];

/**
 * The stable JSON of `tenantctl changed --output json`, for CI matrices. `names` lists every
 * changed stack; `groups` lists, per kind in apply order, the stacks that exist now (added or
 * modified) and can be planned and applied from this synth; `removed` the ones that no longer do.
 */
export function changedJson(result: ChangedResult) {
  const present = result.stacks.filter((s) => s.change !== 'removed');
  return {
    base: result.base,
    baseCommit: result.baseCommit,
    toolChange: result.toolChange,
    stacks: result.stacks,
    names: result.stacks.map((s) => s.name),
    groups: Object.fromEntries(GROUPS.map(([kind, key]) => [key, present.filter((s) => s.kind === kind).map((s) => s.name)])) as Record<
      'workspaces' | 'bootstrap' | 'platform' | 'cluster' | 'tenants',
      string[]
    >,
    removed: result.stacks.filter((s) => s.change === 'removed').map((s) => s.name),
    releases: result.releases,
  };
}
