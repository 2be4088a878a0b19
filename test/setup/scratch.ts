import * as fs from 'fs';
import * as path from 'path';

/** Where the suites' scratch goes when the machine has room in memory for it. */
const RAM_DISK = '/dev/shm';
/** What the suites write at most at once (the own-repository installs are about 1 GB), with margin. */
const RAM_DISK_MIN_FREE_BYTES = 4 * 1024 ** 3;
/** Set by globalSetup to the run's scratch root on the RAM disk, for globalTeardown to remove. */
export const SCRATCH_ENV = 'TENANTCTL_TEST_SCRATCH';

/**
 * A scratch root on the RAM disk (tmpfs) for this run, or undefined when there is none with room.
 * The suites write and then delete about 2 GB of small files (fixture projects, synthesized
 * output, two real npm installs); on a disk, and far more on one mounted with `discard`, the
 * deletes alone take tens of seconds.
 */
export function ramScratchRoot(): string | undefined {
  try {
    const { bavail, bsize } = fs.statfsSync(RAM_DISK);
    if (bavail * bsize < RAM_DISK_MIN_FREE_BYTES) return undefined;
    return fs.mkdtempSync(path.join(RAM_DISK, 'tenantctl-test-'));
  } catch {
    return undefined;
  }
}
