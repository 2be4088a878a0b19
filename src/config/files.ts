import * as fs from 'fs';
import * as path from 'path';
import * as lockfile from 'proper-lockfile';
import writeFileAtomic from 'write-file-atomic';
import { TenantctlError } from './errors';

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
 * Runs `fn` while holding the project lock (`<dir>/.tenantctl.lock`), so that two tenantctl runs
 * against one project (two `tenant add` in parallel, say) serialise their read-modify-write of
 * the configuration and of `cdktf.out`. A lock left by a crashed run goes stale after 30 s.
 */
export async function withProjectLock<T>(dir: string, fn: () => Promise<T> | T): Promise<T> {
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(dir, {
      lockfilePath: path.join(dir, '.tenantctl.lock'),
      stale: 30000,
      update: 5000,
      retries: { retries: 600, factor: 1, minTimeout: 100, maxTimeout: 200 },
    });
  } catch (err) {
    throw new TenantctlError(
      `another tenantctl run holds the lock on ${dir} (${(err as Error).message})`,
      'Wait for it to finish and run the command again.',
    );
  }
  try {
    return await fn();
  } finally {
    await release();
  }
}
