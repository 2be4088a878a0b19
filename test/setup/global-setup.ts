import * as path from 'path';
import { tenantctl } from '../cli/helpers';
import { FIXTURE_PROJECTS, FIXTURES_ENV, newFixturesRoot, type FixtureProject } from './fixture-projects';
import { ramScratchRoot, SCRATCH_ENV } from './scratch';

/**
 * Puts the run's scratch (os.tmpdir(), which reads TMPDIR) on a RAM disk when there is one with
 * room, then makes the shared fixture projects with the compiled binary; workers and the
 * processes they start inherit both variables.
 */
export default function globalSetup(): void {
  const scratch = ramScratchRoot();
  if (scratch) process.env.TMPDIR = process.env[SCRATCH_ENV] = scratch;
  const root = newFixturesRoot();
  for (const [name, args] of Object.entries(FIXTURE_PROJECTS) as [FixtureProject, readonly string[]][]) {
    const res = tenantctl([...args, '--dir', path.join(root, name)]);
    if (res.status !== 0 || res.stderr !== '') throw new Error(`fixture project ${name}: ${args.join(' ')} failed (${res.status}): ${res.stderr}`);
  }
  process.env[FIXTURES_ENV] = root;
}
