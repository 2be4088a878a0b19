import * as fs from 'fs';
import * as path from 'path';
import * as lockfile from 'proper-lockfile';
import writeFileAtomic from 'write-file-atomic';
import { ConfigError, TenantctlError } from './errors';

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
 * a timer, and synthesis is synchronous: a full synth of a few hundred tenants blocks the event
 * loop for tens of seconds, and a lock that went stale meanwhile would let a second run in. So the
 * threshold is well above any synthesis; it only delays recovery from a run that crashed.
 */
const LOCK_STALE_MS = 5 * 60_000;

/**
 * Runs `fn` while holding the project lock (`<dir>/.tenantctl.lock`), so that two tenantctl runs
 * against one project (two `tenant add` in parallel, say) serialise their read-modify-write of
 * the configuration and of `cdktf.out`. A run that finds the lock taken says so on stderr and
 * waits for it, up to a little longer than a lock left by a crashed run takes to go stale.
 */
export async function withProjectLock<T>(dir: string, fn: () => Promise<T> | T): Promise<T> {
  if (!fs.existsSync(dir)) throw new TenantctlError(`${dir} does not exist`, 'Pass --dir to point at a tenantctl project, or run `tenantctl init platform` first.');
  const lockfilePath = path.join(dir, '.tenantctl.lock');
  const options = { lockfilePath, stale: LOCK_STALE_MS, update: 5000 };
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(dir, options).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ELOCKED') throw err;
      process.stderr.write(`waiting for another tenantctl run on this project to finish (lock ${lockfilePath})\n`);
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
    return await fn();
  } finally {
    await release();
  }
}
