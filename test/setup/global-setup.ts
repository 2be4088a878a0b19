import * as fs from 'fs';
import * as path from 'path';
import { repoRoot, tenantctl } from '../cli/helpers';
import { FIXTURE_PROJECTS, FIXTURES_ENV, newFixturesRoot, type FixtureProject } from './fixture-projects';
import { ramScratchRoot, SCRATCH_ENV } from './scratch';

/** The sources dist/ is compiled from (`tsc -b` rewrites dist/.tsbuildinfo whenever it builds). */
const SOURCE_DIRS = ['bin', 'src', 'stacks', 'test'];

/**
 * Refuses a dist/ older than the sources: the suites that run the binary, and the byte-identity
 * engine, would test the previous build. `npm test` builds first; a bare `npx jest` may not.
 */
function requireFreshBuild(): void {
  const buildInfo = path.join(repoRoot, 'dist/.tsbuildinfo');
  const built = fs.existsSync(buildInfo) ? fs.statSync(buildInfo).mtimeMs : 0;
  const newer = SOURCE_DIRS.flatMap((dir) =>
    (fs.readdirSync(path.join(repoRoot, dir), { recursive: true }) as string[])
      .filter((f) => f.endsWith('.ts'))
      .map((f) => path.join(dir, f))
      .filter((f) => fs.statSync(path.join(repoRoot, f)).mtimeMs > built),
  );
  if (newer.length)
    throw new Error(
      `dist/ is older than ${newer.slice(0, 3).join(', ')}${newer.length > 3 ? ' and others' : ''}: run \`npm run build\` (npm test does)`,
    );
}

/**
 * Puts the run's scratch (os.tmpdir(), which reads TMPDIR) on a RAM disk when there is one with
 * room, then makes the shared fixture projects with the compiled binary; workers and the
 * processes they start inherit both variables.
 */
export default function globalSetup(): void {
  requireFreshBuild();
  const scratch = ramScratchRoot();
  if (scratch) process.env.TMPDIR = process.env[SCRATCH_ENV] = scratch;
  const root = newFixturesRoot();
  for (const [name, args] of Object.entries(FIXTURE_PROJECTS) as [FixtureProject, readonly string[]][]) {
    const res = tenantctl([...args, '--dir', path.join(root, name)]);
    if (res.status !== 0 || res.stderr !== '') throw new Error(`fixture project ${name}: ${args.join(' ')} failed (${res.status}): ${res.stderr}`);
  }
  process.env[FIXTURES_ENV] = root;
}
