import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { GITHUB_ACTIONS, GITHUB_WORKFLOW_FILE, actionRef } from '../../src/ci/github';
import { cli } from '../cli/helpers';
import { copyFixture } from '../setup/fixture-projects';
import { tempDir } from '../util';
import { commentBody, runCommentScript, runStep } from './workflow-runner';

type Step = { id?: string; uses?: string; run?: string; env?: Record<string, string>; with?: Record<string, unknown> };
type Job = { outputs?: Record<string, string>; steps: Step[] };

const git = (cwd: string, ...args: string[]) => {
  const res = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
  });
  if (res.status !== 0) throw new Error(res.stderr);
};

const CATALOG = path.resolve(__dirname, '../fixtures/service-catalog.json');
const WAVES = path.resolve(__dirname, '../fixtures/rollout-waves.json');

/**
 * The waves in the pull request: a project with the example catalog and two rollout waves
 * (starter first), committed on main; the pull request starts a release of the task service. The
 * workflow's change step runs as a runner would (bash, the project's tenantctl), and its comment
 * script with what the step wrote: the comment names the tenants that take the new tag, by wave.
 */
describe('GIVEN the generated workflow and a pull request that starts a release', () => {
  const repo = fs.realpathSync(tempDir());
  let jobs: Record<string, Job>;
  let outputs: Record<string, string> = {};
  let body = '';
  beforeAll(async () => {
    copyFixture('configOnly', repo);
    const file = path.join(repo, 'platform.json');
    const settings = [CATALOG, WAVES].map((f) => JSON.parse(fs.readFileSync(f, 'utf8')) as Record<string, unknown>);
    const platform = { ...JSON.parse(fs.readFileSync(file, 'utf8')), terraformCloud: { organization: 'acme-corp' } };
    fs.writeFileSync(file, JSON.stringify(Object.assign(platform, ...settings), null, 2));
    for (const [id, tier] of [
      ['early', 'starter'],
      ['later', 'standard'],
    ]) {
      expect((await cli(['tenant', 'add', id, '--tier', tier, '--no-synth', '--dir', repo])).status).toBe(0);
    }
    expect((await cli(['ci', 'init', 'github', '--dir', repo])).status).toBe(0);
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'platform');
    const started = await cli(['release', 'start', 'task', '1.1.0', '--dir', repo]);
    expect(started.stderr).toBe('');
    expect(started.status).toBe(0);
    jobs = (parse(fs.readFileSync(path.join(repo, GITHUB_WORKFLOW_FILE), 'utf8')) as { jobs: Record<string, Job> }).jobs;

    const res = runStep(jobs.changes.steps.find((s) => s.id === 'changed')!.run!, {
      cwd: repo,
      env: { BASE: 'main', GITHUB_EVENT_NAME: 'pull_request' },
    });
    expect(res.status).toBe(0);
    outputs = res.outputs;
    const comment = jobs.comment.steps.find((s) => s.uses === actionRef(GITHUB_ACTIONS.githubScript))!;
    body = commentBody(
      await runCommentScript(String(comment.with!.script), {
        PLAN_DIR: path.join(repo, 'no-plans'),
        CHANGES_RESULT: 'success',
        STACKS: outputs.stacks,
        REMOVED: '[]',
        UNPLANNED: '[]',
        RELEASES: outputs.releases,
        COST: '',
        COST_OUTCOME: 'skipped',
      }),
    );
  });

  test("THEN the change step outputs the release: only the first wave's tenant takes the new tag, and only its stack changes", () => {
    // Only the first wave's tenant stacks change: the platform's catalog entry renders into no stack.
    expect(JSON.parse(outputs.stacks)).toEqual(['tenant-early']);
    expect(JSON.parse(outputs.releases)).toEqual([{ service: 'task', tag: '1.1.0', tenants: [{ id: 'early', wave: 'canary' }] }]);
  });

  test('THEN the comment reaches the job and the comment step through outputs and the environment', () => {
    expect(jobs.changes.outputs).toMatchObject({ releases: '${{ steps.changed.outputs.releases }}' });
    const comment = jobs.comment.steps.find((s) => s.uses === actionRef(GITHUB_ACTIONS.githubScript))!;
    expect(comment.env).toMatchObject({ RELEASES: '${{ needs.changes.outputs.releases }}' });
  });

  test('THEN the comment shows the wave: the service, its new tag and the tenants that take it', () => {
    expect(body).toContain('#### Rollout waves');
    expect(body).toContain('| `task` | `1.1.0` | `early` (canary) |');
    expect(body).not.toContain('`later`');
  });
});
