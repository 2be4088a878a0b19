import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as lockfile from 'proper-lockfile';
import writeFileAtomic from 'write-file-atomic';
import { cancellable } from '../runtime/interrupt';
import { ConfigError, TenantctlError } from '../model/errors';

/**
 * Parses a configuration file's text; a syntax error is reported at its line and column (an
 * editor's coordinates), not at V8's character offset.
 */
export function parseJson(text: string, display: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const message = (err as Error).message;
    const offset = /at position (\d+)/.exec(message);
    const at = offset ? Number(offset[1]) : text.length;
    const before = text.slice(0, at).split('\n');
    const where = `line ${before.length}, column ${before[before.length - 1].length + 1}`;
    const what = message.replace(/\s*in JSON at position \d+.*$/, '').replace(/^Unexpected end of JSON input$/, 'unexpected end of the file');
    throw new ConfigError(display, [{ field: '', message: `is not valid JSON at ${where}: ${what}` }]);
  }
}

/** Writes JSON through a temporary file and a rename, so readers never see half a file. */
export function writeJsonAtomic(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic.sync(file, JSON.stringify(value, null, 2) + '\n');
}

export function writeTextAtomic(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic.sync(file, text);
}

/**
 * How long a lock may go without its heartbeat before another run takes it over. The heartbeat is
 * a timer, and some work is synchronous (loading hundreds of tenants, the policy rules): a lock that
 * went stale meanwhile would let a second run in. So the threshold is well above any such work; it
 * only matters when the holder cannot be asked (another host): on this host a lock whose holder's
 * process is gone is taken over at once (lockOwner).
 */
const LOCK_STALE_MS = 5 * 60_000;
/** The least stale time proper-lockfile accepts: used only once the holder is known to be dead. */
const DEAD_HOLDER_STALE_MS = 2000;

/**
 * Who holds a project lock, written by the run that took it. It lives in this host's temporary
 * directory, not in the project: a pid means something only to the host (and pid namespace)
 * that wrote it, and the project's .gitignore already covers the lock directory alone.
 */
interface LockOwner {
  readonly pid: number;
  readonly hostname: string;
}

/**
 * Runs `fn` while holding the project lock (`<dir>/.tenantctl.lock`), so that two tenantctl runs
 * against one project (two `tenant add` in parallel, say) serialise their read-modify-write of
 * the configuration and of `cdktf.out`. A run that finds the lock taken checks its holder: a
 * holder on this host that is no longer running (killed) loses the lock at once, with a message;
 * otherwise the run says so on stderr and waits, up to a little longer than the stale time.
 * `fn` runs as a cancellable section: SIGINT/SIGTERM unwind it, and the lock is released.
 */
export async function withProjectLock<T>(dir: string, fn: () => Promise<T> | T): Promise<T> {
  if (!fs.existsSync(dir))
    throw new TenantctlError(`${dir} does not exist`, 'Pass --dir to point at a tenantctl project, or run `tenantctl init platform` first.');
  const lockfilePath = path.join(dir, LOCK_DIR);
  const ownerFile = ownerFileOf(lockfilePath);
  const options = { lockfilePath, stale: LOCK_STALE_MS, update: 5000 };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(dir, options).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ELOCKED') throw err;
      const owner = readOwner(ownerFile);
      if (owner && owner.hostname === os.hostname() && !isRunning(owner.pid)) {
        process.stderr.write(`taking over the lock of tenantctl run ${owner.pid}, which is no longer running (${lockfilePath})\n`);
        // proper-lockfile's own stale check removes it (its heartbeat stopped with the process).
        return lockfile.lock(dir, { ...options, stale: DEAD_HOLDER_STALE_MS, retries: { retries: 20, factor: 1, minTimeout: 200, maxTimeout: 200 } });
      }
      process.stderr.write(
        `waiting for another tenantctl run on this project to finish (lock ${lockfilePath}${owner ? `, held by pid ${owner.pid} on ${owner.hostname}` : ''})\n`,
      );
      // Polls every second at most; the retries add up to about six minutes.
      return lockfile.lock(dir, { ...options, retries: { retries: 370, factor: 1.5, minTimeout: 50, maxTimeout: 1000 } });
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
    throw new TenantctlError(
      `another tenantctl run still holds the lock on ${dir} (${lockfilePath})`,
      `Wait for it to finish and run the command again; if no tenantctl run is left, remove ${lockfilePath}.`,
    );
  }
  try {
    writeJsonAtomic(ownerFile, { pid: process.pid, hostname: os.hostname() } satisfies LockOwner);
    return await cancellable(fn);
  } finally {
    fs.rmSync(ownerFile, { force: true });
    await release();
  }
}

/** The project lock's directory, relative to the project. */
export const LOCK_DIR = '.tenantctl.lock';

function ownerFileOf(lockfilePath: string): string {
  const key = createHash('sha256').update(path.resolve(lockfilePath)).digest('hex').slice(0, 32);
  return path.join(os.tmpdir(), 'tenantctl-locks', `${key}.json`);
}

function readOwner(file: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LockOwner>;
    return typeof owner.pid === 'number' && typeof owner.hostname === 'string' ? { pid: owner.pid, hostname: owner.hostname } : undefined;
  } catch {
    // No owner file (a run between taking the lock and writing it, or an older tenantctl).
    return undefined;
  }
}

/** Whether a process of this host is alive: signal 0 checks without sending anything. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
