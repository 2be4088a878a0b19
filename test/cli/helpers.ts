import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { copyFixture, type FixtureProject } from '../setup/fixture-projects';
import { tempDir } from '../util';

export const repoRoot = path.resolve(__dirname, '../..');
export const cliPath = path.join(repoRoot, 'dist/bin/tenantctl.js');

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the compiled CLI as a user would (`npm test` builds dist/ first), non-interactively:
 * CI=true and no stdin, so any prompt would be a bug.
 */
export function tenantctl(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): CliResult {
  if (!fs.existsSync(cliPath)) throw new Error(`${cliPath} is missing: run \`npm run build\` (npm test does)`);
  const res = spawnSync(process.execPath, [cliPath, ...args], {
    cwd: opts.cwd ?? repoRoot,
    env: { ...process.env, CI: 'true', CHECKPOINT_DISABLE: '1', ...opts.env },
    input: '',
    encoding: 'utf8',
    timeout: 120000,
  });
  return { status: res.status, stdout: res.stdout, stderr: res.stderr };
}

/** What a spawned run's environment adds: non-interactive, and stderr is a pipe (no progress line). */
const CLI_ENV = { CI: 'true', CHECKPOINT_DISABLE: '1', TENANTCTL_PROGRESS: '0' };

/**
 * Runs a command in this process, through the binary's own `run` (same parsing, error printing
 * and exit codes), with stdout, stderr, cwd, environment and exit code captured and restored: cdktf
 * and the providers load once per suite instead of once per command. Tests of the real process
 * (signals, locks across processes, the shebang) use `tenantctl`. Calls must not overlap.
 */
export async function cli(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): Promise<CliResult> {
  // Loaded on first use: suites that only spawn the binary never load the CLI in-process.
  const { run } = require('../../bin/tenantctl') as typeof import('../../bin/tenantctl');
  const env = { ...CLI_ENV, ...opts.env };
  const savedEnv = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const cwd = process.cwd();
  const out: string[] = [];
  const err: string[] = [];
  const capture = (into: string[]) => (chunk: string | Uint8Array) => (
    into.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8')),
    true
  );
  const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(capture(out));
  const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(capture(err));
  Object.assign(process.env, env);
  process.chdir(opts.cwd ?? repoRoot);
  process.exitCode = undefined;
  try {
    const status = await run([process.execPath, cliPath, ...args]);
    return { status, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.exitCode = undefined;
    process.chdir(cwd);
    for (const [k, v] of Object.entries(savedEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

/** Every file under a directory with its content, to prove a failed command changed nothing. */
export function snapshotTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!fs.existsSync(dir)) return out;
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

/**
 * Returns a function that makes a fresh empty directory per call. `tempDir` registers its cleanup
 * with `afterAll`, which jest refuses inside a test, so the root is made here (call this at file or
 * describe level) and the directories a test asks for are made inside it and removed with it.
 */
export function scratchDirs(prefix = 'tenantctl-cli-'): () => string {
  const root = tempDir(prefix);
  return () => fs.mkdtempSync(path.join(root, 'case-'));
}

/** A copy of a shared fixture project in its own directory, removed after the file (call at file or describe level). */
export function fixtureProject(name: FixtureProject = 'synthesized'): string {
  return copyFixture(name, tempDir());
}
