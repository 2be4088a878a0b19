import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Projects that many suites start from, made once per jest run by the real binary (globalSetup)
 * and copied by the suites, so each suite does not pay for `init platform` and its synth again.
 * A copy is the same project: `init platform` writes no absolute paths.
 */
export const FIXTURE_PROJECTS = {
  /** `tenantctl init platform --yes --account-id 111122223333 --quiet`: configuration and cdktf.out. */
  synthesized: ['init', 'platform', '--yes', '--account-id', '111122223333', '--quiet'],
  /** The same with `--no-synth`: configuration only. */
  configOnly: ['init', 'platform', '--yes', '--account-id', '111122223333', '--no-synth', '--quiet'],
} as const;
export type FixtureProject = keyof typeof FIXTURE_PROJECTS;

/** Where globalSetup tells the test workers it put the fixture projects. */
export const FIXTURES_ENV = 'TENANTCTL_TEST_FIXTURES';

export function fixturesRoot(): string {
  const root = process.env[FIXTURES_ENV];
  if (!root || !fs.existsSync(root))
    throw new Error(`${FIXTURES_ENV} is not set: run the tests through jest (jest.config.js globalSetup makes the fixture projects)`);
  return root;
}

/** Copies a fixture project into `dir` (made if missing) and returns `dir`. */
export function copyFixture(name: FixtureProject, dir: string): string {
  fs.cpSync(path.join(fixturesRoot(), name), dir, { recursive: true });
  return dir;
}

export function newFixturesRoot(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tenantctl-fixtures-'));
}
