import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { GITHUB_ACTIONS, GITHUB_WORKFLOW_FILE, actionRef } from '../../src/ci/github';
import { cli } from '../cli/helpers';
import { copyFixture } from '../setup/fixture-projects';
import { tempDir } from '../util';
import { commentBody, runCommentScript, runStep } from './workflow-runner';

type Step = {
  id?: string;
  name?: string;
  if?: string;
  run?: string;
  uses?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
  'continue-on-error'?: boolean;
};
type Job = { permissions?: Record<string, string>; outputs?: Record<string, string>; steps: Step[] };

const git = (cwd: string, ...args: string[]) => {
  const res = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
  });
  if (res.status !== 0) throw new Error(res.stderr);
};

/**
 * The pull request comment's cost change: a Terraform Cloud project committed on main, then a
 * pull request's work tree that adds an enterprise tenant; the workflow's cost step runs as a
 * runner would (bash, the project's tenantctl), and its comment script with what the step wrote.
 */
describe('GIVEN the generated workflow and a pull request that adds an enterprise tenant', () => {
  const repo = fs.realpathSync(tempDir());
  let jobs: Record<string, Job>;
  beforeAll(async () => {
    copyFixture('configOnly', repo);
    const file = path.join(repo, 'platform.json');
    fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), terraformCloud: { organization: 'acme-corp' } }, null, 2));
    expect((await cli(['ci', 'init', 'github', '--dir', repo])).status).toBe(0);
    git(repo, 'init', '-q', '-b', 'main');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'platform');
    expect((await cli(['tenant', 'add', 'acme', '--tier', 'enterprise', '--no-synth', '--dir', repo])).status).toBe(0);
    jobs = (parse(fs.readFileSync(path.join(repo, GITHUB_WORKFLOW_FILE), 'utf8')) as { jobs: Record<string, Job> }).jobs;
  });
  const costStep = () => jobs.changes.steps.find((s) => s.id === 'cost')!;

  test('THEN the changes job estimates the change on pull requests only, read-only, and never fails the plans with it', () => {
    expect(costStep()).toMatchObject({
      if: "github.event_name == 'pull_request' && steps.base.outputs.ref != ''",
      'continue-on-error': true,
      env: { BASE: '${{ steps.base.outputs.ref }}' },
    });
    expect(costStep().run).toContain('npm exec --no -- tenantctl cost --base "$BASE" --output markdown --out "$report"');
    expect(jobs.changes.permissions).toEqual({ contents: 'read', actions: 'read' });
    expect(jobs.changes.outputs).toMatchObject({ cost: '${{ steps.cost.outputs.report }}', cost_outcome: '${{ steps.cost.outcome }}' });
    // The report reaches the comment through the environment, never inside a script.
    const comment = jobs.comment.steps.find((s) => s.uses === actionRef(GITHUB_ACTIONS.githubScript))!;
    expect(comment.env).toMatchObject({ COST: '${{ needs.changes.outputs.cost }}', COST_OUTCOME: '${{ needs.changes.outputs.cost_outcome }}' });
  });

  describe('WHEN the step runs and the comment is written', () => {
    let output = '';
    let body = '';
    beforeAll(async () => {
      const res = runStep(costStep().run!, { cwd: repo, env: { BASE: 'main', GITHUB_EVENT_NAME: 'pull_request' } });
      expect(res.stderr).toMatch(/^wrote /);
      expect(res.status).toBe(0);
      const runner = res.runnerTemp;
      output = fs.readFileSync(path.join(runner, 'output'), 'utf8');
      const match = /^report<<(tenantctl-cost-[0-9a-f]{32})\n([\s\S]*)\n\1\n$/.exec(output);
      expect(match).not.toBeNull();
      const report = match![2];

      const script = String(jobs.comment.steps.find((s) => s.uses === actionRef(GITHUB_ACTIONS.githubScript))!.with!.script);
      const vars = {
        PLAN_DIR: path.join(runner, 'none'),
        CHANGES_RESULT: 'success',
        STACKS: '["tenant-acme"]',
        REMOVED: '[]',
        UNPLANNED: '[]',
        COST: report,
        COST_OUTCOME: 'success',
      };
      body = commentBody(await runCommentScript(script, vars));
    });

    test('THEN the comment carries the monthly change: the tenant’s dedicated nodes and the tenant at its cost', () => {
      expect(body).toContain('#### Monthly cost change: +$568.64');
      expect(body).toContain('| EC2 dedicated nodes (enterprise) | $0.00 | $568.64 | +$568.64 |');
      expect(body).toContain('Tenants added: acme (enterprise, $');
      expect(body.indexOf('| `tenant-acme` |')).toBeLessThan(body.indexOf('Monthly cost change'));
    });
  });
});
