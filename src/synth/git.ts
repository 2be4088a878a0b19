import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { TenantctlError } from '../model/errors';

/**
 * The few git reads `tenantctl changed` needs. git runs through execFileSync with an argument
 * list (no shell, so a ref or path is never interpreted), and every failure becomes a
 * TenantctlError that says what was run and what git answered.
 */

/** Where a project directory sits in its git repository. */
export interface RepoLocation {
  /** Absolute path of the work tree's top level. */
  readonly top: string;
  /** The project directory relative to `top`, with a trailing `/`, or `''` at the top level. */
  readonly prefix: string;
}

/** A file of a commit's tree: its path from the top level and the blob holding it. */
export interface TreeEntry {
  readonly path: string;
  readonly blob: string;
}

export function git(args: string[], cwd: string, input?: Buffer | string): Buffer {
  try {
    return execFileSync('git', args, {
      cwd,
      input,
      stdio: ['pipe', 'pipe', 'pipe'],
      // A base tree with hundreds of tenant files comes through one cat-file call.
      maxBuffer: 1024 * 1024 * 1024,
      // Never ask for credentials or open an editor: these are local reads.
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0' },
    });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: Buffer };
    if (e.code === 'ENOENT')
      throw new TenantctlError(
        'git is not installed (or not on PATH)',
        '`tenantctl changed` reads the base ref with git: install git and run the command again.',
      );
    const said = e.stderr?.toString().trim() || e.message;
    throw new GitError(`git ${args.join(' ')} failed in ${cwd}: ${said}`, said);
  }
}

/** A git command ran and failed; callers turn the cases they expect into better messages. */
export class GitError extends TenantctlError {
  constructor(
    message: string,
    /** What git wrote on stderr. */
    readonly said: string,
  ) {
    super(message);
    this.name = 'GitError';
  }
}

/** Finds the repository a project directory belongs to (the directory may be a subdirectory). */
export function locateRepo(dir: string): RepoLocation {
  if (!fs.existsSync(dir)) throw new TenantctlError(`${dir} does not exist`, 'Pass --dir to point at a tenantctl project.');
  let out: string;
  try {
    out = git(['rev-parse', '--show-toplevel', '--show-prefix'], dir).toString('utf8');
  } catch (err) {
    if (err instanceof GitError) {
      throw new TenantctlError(
        `${dir} is not inside a git work tree (git: ${err.said})`,
        '`tenantctl changed` compares the project with a git ref: run it in a clone of the project repository, or pass --dir.',
      );
    }
    throw err;
  }
  const [top, prefix = ''] = out.split('\n');
  return { top, prefix };
}

/**
 * Resolves a ref to the commit it names. A ref that is not a commit here (a typo, a branch that
 * a shallow CI checkout has not fetched) is an error with a hint, not a git usage message.
 */
export function resolveCommit(top: string, ref: string): string {
  // A ref starting with '-' would be read as an option by git.
  if (!ref || ref.startsWith('-'))
    throw new TenantctlError(`--base ${JSON.stringify(ref)} is not a git ref`, 'Give a branch, tag or commit, e.g. --base origin/main.', 2);
  try {
    return git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], top)
      .toString('utf8')
      .trim();
  } catch (err) {
    if (err instanceof GitError) {
      throw new TenantctlError(
        `--base ${ref} is not a commit in the repository at ${top}`,
        'Check the name (a branch, tag or commit). In CI, fetch the base first, e.g. `git fetch origin main` or actions/checkout with ' +
          'fetch-depth: 0.',
      );
    }
    throw err;
  }
}

/** The files (blobs) of `commit` under the given paths, with their paths from the top level. */
export function listTree(top: string, commit: string, pathspecs: string[]): TreeEntry[] {
  // --full-tree: paths relative to the top level whatever the working directory; -z: any file name.
  const out = git(['ls-tree', '-r', '-z', '--full-tree', commit, '--', ...pathspecs.map((p) => `:(literal)${p}`)], top).toString('utf8');
  const entries: TreeEntry[] = [];
  for (const record of out.split('\0')) {
    if (!record) continue;
    const tab = record.indexOf('\t');
    const [mode, type, blob] = record.slice(0, tab).split(' ');
    // Regular files only: a symlink's blob is its target, a submodule has no blob here.
    if (type === 'blob' && (mode === '100644' || mode === '100755')) entries.push({ path: record.slice(tab + 1), blob });
  }
  return entries;
}

/** Reads blobs with one `git cat-file --batch` (one process, however many tenant files). */
export function readBlobs(top: string, blobs: string[]): Map<string, Buffer> {
  const result = new Map<string, Buffer>();
  if (!blobs.length) return result;
  const out = git(['cat-file', '--batch'], top, blobs.join('\n') + '\n');
  let pos = 0;
  for (const blob of blobs) {
    // Each answer is "<sha> <type> <size>\n<content>\n" (or "<sha> missing\n").
    const eol = out.indexOf(0x0a, pos);
    const header = out.subarray(pos, eol).toString('utf8').split(' ');
    if (header[1] === 'missing' || eol < 0) throw new TenantctlError(`git cat-file found no object ${blob}`);
    const size = Number(header[2]);
    result.set(blob, out.subarray(eol + 1, eol + 1 + size));
    pos = eol + 1 + size + 1;
  }
  return result;
}
