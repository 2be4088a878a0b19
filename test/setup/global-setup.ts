import * as path from 'path';
import { tenantctl } from '../cli/helpers';
import { FIXTURE_PROJECTS, FIXTURES_ENV, newFixturesRoot, type FixtureProject } from './fixture-projects';

/** Makes the shared fixture projects with the compiled binary; workers inherit the variable. */
export default function globalSetup(): void {
  const root = newFixturesRoot();
  for (const [name, args] of Object.entries(FIXTURE_PROJECTS) as [FixtureProject, readonly string[]][]) {
    const res = tenantctl([...args, '--dir', path.join(root, name)]);
    if (res.status !== 0 || res.stderr !== '') throw new Error(`fixture project ${name}: ${args.join(' ')} failed (${res.status}): ${res.stderr}`);
  }
  process.env[FIXTURES_ENV] = root;
}
