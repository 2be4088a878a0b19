import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { GITHUB_ACTIONS, actionRef } from '../../src/ci/github';
import { tempDir } from '../util';
import { cli, snapshotTree, type CliResult } from '../cli/helpers';
import { copyFixture } from '../setup/fixture-projects';
import { runCommentScript, runStep, type ExistingComment } from './workflow-runner';

const WORKFLOW = '.github/workflows/tenantctl.yml';
const APPLY_WORKFLOW = '.github/workflows/tenantctl-apply.yml';
const APPLY_JOBS = ['apply-workspaces', 'apply-bootstrap', 'apply-platform', 'apply-cluster', 'apply-tenants'];
/** The group of changed stacks each apply job passes to the reusable workflow. */
const APPLY_GROUP: Record<string, string> = {
  'apply-workspaces': 'workspaces',
  'apply-bootstrap': 'bootstrap',
  'apply-platform': 'platform',
  'apply-cluster': 'cluster',
  'apply-tenants': 'tenants',
};
const TOKEN_PATTERNS = [/[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_-]{20,}/, /AKIA[0-9A-Z]{16}/, /ASIA[0-9A-Z]{16}/, /gh[pousr]_[A-Za-z0-9]{20,}/];
/** Inputs of hashicorp/tfc-workflows-github v1.3.2 (actions/<name>/action.yml). */
const TFC_ACTION_INPUTS: Record<string, string[]> = {
  'upload-configuration': ['hostname', 'token', 'organization', 'workspace', 'directory', 'speculative'],
  'create-run': [
    'hostname',
    'token',
    'organization',
    'workspace',
    'configuration_version',
    'message',
    'plan_only',
    'save_plan',
    'is_destroy',
    'target',
  ],
  'plan-output': ['hostname', 'token', 'organization', 'plan'],
  'apply-run': ['hostname', 'token', 'organization', 'run', 'comment'],
  'discard-run': ['hostname', 'token', 'organization', 'run', 'comment'],
};

/** One temporary directory for the file (tests may not register hooks, so they take subdirectories of it). */
const scratch = tempDir('tenantctl-ci-');
const scratchDir = (prefix = 'dir-') => fs.mkdtempSync(path.join(scratch, prefix));

type Step = { name?: string; id?: string; uses?: string; run?: string; if?: string; with?: Record<string, unknown>; env?: Record<string, string> };
type Job = {
  name?: string;
  needs?: string | string[];
  if?: string;
  permissions?: Record<string, string>;
  environment?: string;
  env?: Record<string, string>;
  outputs?: Record<string, string>;
  'runs-on'?: string;
  'timeout-minutes'?: number;
  strategy?: { 'fail-fast'?: boolean; 'max-parallel'?: number | string; matrix?: Record<string, unknown> };
  /** A job that calls a reusable workflow has `uses`, `with` and `secrets` instead of steps. */
  uses?: string;
  with?: Record<string, unknown>;
  secrets?: Record<string, string> | 'inherit';
  steps: Step[];
};
type Workflow = {
  name: string;
  on: any;
  permissions: Record<string, string>;
  concurrency: any;
  env: Record<string, string>;
  defaults: any;
  jobs: Record<string, Job>;
};

/** A tenantctl project with Terraform Cloud (organization acme-corp) and one tenant. */
async function tfcProject(dir: string, terraformCloud: Record<string, unknown> | null = { organization: 'acme-corp' }): Promise<string> {
  copyFixture('configOnly', dir);
  if (terraformCloud) {
    const file = path.join(dir, 'platform.json');
    const config = JSON.parse(fs.readFileSync(file, 'utf8'));
    fs.writeFileSync(file, JSON.stringify({ ...config, terraformCloud }, null, 2) + '\n');
  }
  const add = await cli(['tenant', 'add', 'acme', '--tier', 'starter', '--no-synth', '--dir', dir]);
  if (add.status !== 0) throw new Error(add.stderr);
  return dir;
}

function git(cwd: string, ...args: string[]): string {
  const res = spawnSync('git', ['-c', 'user.name=tenantctl test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], {
    cwd,
    encoding: 'utf8',
  });
  if (res.status !== 0) throw new Error(`git ${args.join(' ')}: ${res.stderr}`);
  return res.stdout.trim();
}

/** The workflow and the reusable workflow its apply jobs call. */
function readWorkflow(root: string): { text: string; workflow: Workflow; applyText: string; apply: Workflow } {
  const text = fs.readFileSync(path.join(root, WORKFLOW), 'utf8');
  const applyText = fs.readFileSync(path.join(root, APPLY_WORKFLOW), 'utf8');
  return { text, workflow: parse(text) as Workflow, applyText, apply: parse(applyText) as Workflow };
}

const needsOf = (job: Job) => (Array.isArray(job.needs) ? job.needs : job.needs ? [job.needs] : []);
const step = (job: Job, idOrName: string) => {
  const found = job.steps.find((s) => s.id === idOrName || s.name === idOrName);
  if (!found) throw new Error(`no step ${idOrName}`);
  return found;
};
const tfcSteps = (job: Job) => job.steps.filter((s) => s.uses?.startsWith('hashicorp/tfc-workflows-github/'));
const actionName = (uses: string) => /actions\/([a-z-]+)@/.exec(uses)![1];

describe('GIVEN a Terraform Cloud project at the root of a git repository', () => {
  const root = scratchDir();
  beforeAll(() => tfcProject(root));
  let result: CliResult;
  let text: string;
  let workflow: Workflow;
  let applyText: string;
  let apply: Workflow;
  /** The one job of the reusable workflow: applies the stacks it is given, a matrix. */
  let applyJob: Job;
  beforeAll(async () => {
    git(root, 'init', '-q', '-b', 'main');
    result = await cli(['ci', 'init', 'github', '--dir', root]);
    ({ text, workflow, applyText, apply } = readWorkflow(root));
    applyJob = apply.jobs.apply;
  });
  /** Every job with steps: those of the workflow (the apply jobs call the reusable workflow) and the reusable workflow's. */
  const jobsWithSteps = () => [
    ...Object.entries(workflow.jobs).filter(([name]) => !APPLY_JOBS.includes(name)),
    ...Object.entries(apply.jobs).map(([name, job]) => [`tenantctl-apply.yml ${name}`, job] as const),
  ];

  describe('WHEN `tenantctl ci init github` runs', () => {
    test('THEN it writes .github/workflows/tenantctl.yml and tenantctl-apply.yml and says what the workflow does', () => {
      expect(result.status).toBe(0);
      expect(result.stdout).toContain(WORKFLOW);
      expect(result.stdout).toContain(APPLY_WORKFLOW);
      expect(result.stdout).toContain('TF_API_TOKEN');
      expect(fs.readdirSync(path.join(root, '.github/workflows')).sort()).toEqual(['tenantctl-apply.yml', 'tenantctl.yml']);
    });

    test('THEN both workflows are valid YAML with no placeholder left', () => {
      expect(workflow.name).toBe('tenantctl');
      expect(apply.name).toBe('tenantctl apply');
      expect(text).not.toMatch(/\{\{\s*[a-z_]+\s*\}\}/);
      expect(applyText).not.toMatch(/\{\{\s*[a-z_]+\s*\}\}/);
    });

    test(
      "THEN every job that runs tenantctl installs the project with npm ci first and runs the project's own copy, never a package " +
        'fetched by name',
      () => {
        for (const [name, job] of jobsWithSteps()) {
          const runs = job.steps.filter((s) => s.run).map((s) => s.run!);
          // npx would download a missing package (a message naming `npx cdktf deploy` for the user is fine).
          expect([name, runs.flatMap((r) => r.split('\n')).filter((l) => /^\s*npx\b|\$\(npx\b/.test(l))]).toEqual([name, []]);
          const first = runs.findIndex((r) => /\btenantctl /.test(r));
          if (first < 0) continue;
          expect([name, runs.indexOf('npm ci')]).toEqual([name, first - 1]);
          for (const r of runs)
            for (const line of r.split('\n').filter((l) => /\btenantctl (synth|validate|changed)/.test(l)))
              expect(line).toContain('npm exec --no -- tenantctl ');
        }
      },
    );

    test('THEN it runs on pull requests to main, pushes to main and by hand', () => {
      expect(workflow.on.pull_request).toEqual({ branches: ['main'] });
      expect(workflow.on.push).toEqual({ branches: ['main'] });
      expect(workflow.on.workflow_dispatch.inputs.base).toMatchObject({ required: false, type: 'string' });
    });

    test('THEN the apply workflow runs only when called, with the stacks, the parallelism and the token it requires', () => {
      expect(Object.keys(apply.on)).toEqual(['workflow_call']);
      const call = apply.on.workflow_call;
      expect(Object.keys(call.inputs)).toEqual(['stacks', 'max-parallel']);
      expect(call.inputs.stacks).toMatchObject({ required: true, type: 'string' });
      expect(call.inputs['max-parallel']).toMatchObject({ required: true, type: 'number' });
      expect(Object.keys(call.secrets)).toEqual(['TF_API_TOKEN']);
      expect(call.secrets.TF_API_TOKEN).toMatchObject({ required: true });
    });

    test('THEN the token is read-only by default and only the comment job may write, to pull requests only', () => {
      expect(workflow.permissions).toEqual({ contents: 'read' });
      expect(apply.permissions).toEqual({ contents: 'read' });
      const jobs = [
        ...Object.entries(workflow.jobs),
        ...Object.entries(apply.jobs).map(([name, job]) => [`tenantctl-apply.yml ${name}`, job] as const),
      ];
      for (const [name, job] of jobs) {
        expect(job.permissions).toBeDefined();
        const writes = Object.entries(job.permissions!).filter(([, level]) => level !== 'read' && level !== 'none');
        expect({ name, writes }).toEqual({ name, writes: name === 'comment' ? [['pull-requests', 'write']] : [] });
      }
      expect(workflow.jobs.changes.permissions).toEqual({ contents: 'read', actions: 'read' });
    });

    test(
      'THEN Terraform Cloud is addressed through the organization and hostname of platform.json, in both workflows (a called workflow ' +
        'inherits no env or defaults)',
      () => {
        for (const w of [workflow, apply]) {
          expect(w.env).toEqual({
            TF_CLOUD_ORGANIZATION: 'acme-corp',
            TF_CLOUD_HOSTNAME: 'app.terraform.io',
            TF_HOSTNAME: 'app.terraform.io',
            TF_MAX_TIMEOUT: '2h',
            CHECKPOINT_DISABLE: '1',
          });
          expect(w.defaults.run).toEqual({ shell: 'bash', 'working-directory': '.' });
        }
      },
    );

    test('THEN applies never run concurrently and are never cancelled; a new push to a pull request replaces its plan', () => {
      expect(workflow.concurrency.group).toContain("'tenantctl-apply'");
      expect(workflow.concurrency.group).toContain("format('tenantctl-plan-{0}', github.event.pull_request.number)");
      expect(workflow.concurrency['cancel-in-progress']).toBe("${{ github.event_name == 'pull_request' }}");
      // The called workflow runs inside the caller's run, under its concurrency group; one of its own could deadlock.
      expect(apply.concurrency).toBeUndefined();
    });
  });

  describe('WHEN reading the jobs', () => {
    test('THEN the changes job validates, then finds the changed stacks against the right base, with full history', () => {
      const job = workflow.jobs.changes;
      expect(needsOf(job)).toEqual([]);
      expect(job.steps[0]).toEqual({ uses: actionRef(GITHUB_ACTIONS.checkout), with: { 'fetch-depth': 0, 'persist-credentials': false } });
      expect(job.steps[1]).toMatchObject({
        uses: actionRef(GITHUB_ACTIONS.setupNode),
        with: { 'node-version': '20', cache: 'npm', 'cache-dependency-path': './package-lock.json' },
      });
      const runs = job.steps.filter((s) => s.run).map((s) => s.run!);
      expect(runs[0]).toBe('npm ci');
      expect(runs[1]).toBe('npm exec --no -- tenantctl validate');
      expect(step(job, 'changed').run).toContain('npm exec --no -- tenantctl changed --base "$BASE" --output json');
      expect(step(job, 'base').env).toMatchObject({
        PR_BASE_REF: '${{ github.base_ref }}',
        BEFORE: '${{ github.event.before }}',
        DISPATCH_BASE: '${{ inputs.base }}',
      });
      expect(Object.keys(job.outputs!)).toEqual([
        'base',
        'stacks',
        'unplanned',
        'removed',
        'workspaces',
        'bootstrap',
        'platform',
        'cluster',
        'tenants',
        'releases',
        'cost',
        'cost_outcome',
      ]);
    });

    test('THEN the plan job is a bounded matrix over the changed stacks, skipped when none changed, and only for pull requests', () => {
      const job = workflow.jobs.plan;
      expect(needsOf(job)).toEqual(['changes']);
      expect(job.if).toContain("github.event_name == 'pull_request'");
      expect(job.if).toContain("needs.changes.outputs.stacks != '[]'");
      expect(job.strategy).toEqual({ 'fail-fast': false, 'max-parallel': 4, matrix: { stack: '${{ fromJSON(needs.changes.outputs.stacks) }}' } });
    });

    test('THEN each plan synthesizes only its stack and runs a speculative, plan-only Terraform Cloud run', () => {
      const job = workflow.jobs.plan;
      expect(step(job, 'synth').run).toContain('npm exec --no -- tenantctl synth --stack "$STACK" --quiet');
      expect(step(job, 'synth').env).toEqual({ STACK: '${{ matrix.stack }}' });
      const upload = step(job, 'upload');
      expect(upload.uses).toBe(actionRef(GITHUB_ACTIONS.tfcWorkflows, '/upload-configuration'));
      expect(upload.with).toEqual({
        workspace: '${{ steps.synth.outputs.workspace }}',
        directory: '${{ steps.synth.outputs.directory }}',
        speculative: true,
      });
      const run = step(job, 'run');
      expect(run.uses).toBe(actionRef(GITHUB_ACTIONS.tfcWorkflows, '/create-run'));
      expect(run.with).toMatchObject({ configuration_version: '${{ steps.upload.outputs.configuration_version_id }}', plan_only: true });
      expect(step(job, 'plan-output').with).toEqual({ plan: '${{ steps.run.outputs.plan_id }}' });
      expect(job.steps.some((s) => s.uses?.includes('apply-run'))).toBe(false);
    });

    test('THEN one comment job, after every plan, keeps a single sticky comment with github-script', () => {
      const job = workflow.jobs.comment;
      expect(needsOf(job)).toEqual(['changes', 'plan']);
      expect(job.if).toContain('!cancelled()');
      const script = job.steps.find((s) => s.uses === actionRef(GITHUB_ACTIONS.githubScript))!;
      expect(String(script.with!.script)).toContain('updateComment');
      expect(String(script.with!.script)).toContain('<!-- tenantctl-plan -->');
    });

    test('THEN the apply jobs run only on the main branch, in the order workspaces, bootstrap, platform, cluster, tenants', () => {
      expect(needsOf(workflow.jobs['apply-workspaces'])).toEqual(['changes']);
      expect(needsOf(workflow.jobs['apply-bootstrap'])).toEqual(['changes', 'apply-workspaces']);
      expect(needsOf(workflow.jobs['apply-platform'])).toEqual(['changes', 'apply-bootstrap']);
      expect(needsOf(workflow.jobs['apply-cluster'])).toEqual(['changes', 'apply-platform']);
      expect(needsOf(workflow.jobs['apply-tenants'])).toEqual(['changes', 'apply-cluster']);
      expect(workflow.jobs['apply-workspaces'].if).toBe(
        "needs.changes.result == 'success' && github.event_name != 'pull_request' && github.ref == 'refs/heads/main' && " +
          "needs.changes.outputs.workspaces != '[]'",
      );
      for (const name of APPLY_JOBS) {
        const job = workflow.jobs[name];
        expect(job.if).toContain("github.event_name != 'pull_request'");
        expect(job.if).toContain("github.ref == 'refs/heads/main'");
        expect(job.if).toContain(`needs.changes.outputs.${APPLY_GROUP[name]} != '[]'`);
      }
    });

    test('THEN a later apply group still runs when an earlier group was empty (skipped), but never after a failure', () => {
      for (const name of APPLY_JOBS.slice(1)) {
        const condition = workflow.jobs[name].if!;
        expect(condition).toBe(
          `\${{ !failure() && !cancelled() && needs.changes.result == 'success' && github.event_name != 'pull_request' && github.ref == ` +
            `'refs/heads/main' && needs.changes.outputs.${APPLY_GROUP[name]} != '[]' }}`,
        );
      }
    });

    test('THEN each apply job calls the reusable apply workflow with its group, its parallelism and the token by name', () => {
      for (const name of APPLY_JOBS) {
        const job = workflow.jobs[name];
        expect(job.uses).toBe('./.github/workflows/tenantctl-apply.yml');
        expect(job.with).toEqual({
          stacks: `\${{ needs.changes.outputs.${APPLY_GROUP[name]} }}`,
          'max-parallel': ['apply-workspaces', 'apply-platform', 'apply-cluster'].includes(name) ? 1 : 4,
        });
        // Explicit, not `inherit`: the called workflow gets this one secret and no other.
        expect(job.secrets).toEqual({ TF_API_TOKEN: '${{ secrets.TF_API_TOKEN }}' });
        expect(job.permissions).toEqual({ contents: 'read' });
        // What a calling job may not have: the matrix, the runner and the environment are the called job's.
        for (const key of ['steps', 'strategy', 'runs-on', 'environment', 'env', 'timeout-minutes']) expect(job).not.toHaveProperty(key);
      }
    });

    test('THEN the called job applies the given stacks as a bounded matrix in the production environment', () => {
      expect(Object.keys(apply.jobs)).toEqual(['apply']);
      expect(applyJob.environment).toBe('production');
      expect(applyJob.permissions).toEqual({ contents: 'read' });
      expect(applyJob['runs-on']).toBe('ubuntu-latest');
      expect(applyJob['timeout-minutes']).toBe(150);
      expect(applyJob.strategy).toEqual({
        'fail-fast': false,
        'max-parallel': '${{ inputs.max-parallel }}',
        matrix: { stack: '${{ fromJSON(inputs.stacks) }}' },
      });
      expect(applyJob.steps[0]).toEqual({ uses: actionRef(GITHUB_ACTIONS.checkout), with: { 'persist-credentials': false } });
      expect(applyJob.steps[1]).toMatchObject({
        uses: actionRef(GITHUB_ACTIONS.setupNode),
        with: { 'node-version': '20', cache: 'npm', 'cache-dependency-path': './package-lock.json' },
      });
      expect(applyJob.steps[2].run).toBe('npm ci');
    });

    test('THEN each apply uploads a non-speculative configuration, plans, and confirms the run with apply-run', () => {
      const job = applyJob;
      expect(step(job, 'synth').run).toContain('npm exec --no -- tenantctl synth --stack "$STACK"');
      expect(step(job, 'synth').env).toEqual({ STACK: '${{ matrix.stack }}' });
      // The plans and the applies upload the same synthesized configuration.
      expect(step(job, 'synth')).toEqual(step(workflow.jobs.plan, 'synth'));
      expect(step(job, 'upload')).toMatchObject({ uses: actionRef(GITHUB_ACTIONS.tfcWorkflows, '/upload-configuration') });
      expect(step(job, 'upload').with).toEqual({
        workspace: '${{ steps.synth.outputs.workspace }}',
        directory: '${{ steps.synth.outputs.directory }}',
      });
      expect(step(job, 'run')).toMatchObject({ uses: actionRef(GITHUB_ACTIONS.tfcWorkflows, '/create-run') });
      expect(step(job, 'run').with).toEqual({
        workspace: '${{ steps.synth.outputs.workspace }}',
        configuration_version: '${{ steps.upload.outputs.configuration_version_id }}',
        message: 'tenantctl apply: ${{ github.sha }}',
      });
      expect(step(job, 'apply')).toMatchObject({
        uses: actionRef(GITHUB_ACTIONS.tfcWorkflows, '/apply-run'),
        with: { run: '${{ steps.run.outputs.run_id }}' },
      });
      const order = job.steps.map((s) => s.id).filter(Boolean);
      expect(order).toEqual(['synth', 'upload', 'run', 'apply']);
    });

    test('THEN a run left waiting by a failed or cancelled apply is discarded', () => {
      const discard = applyJob.steps[applyJob.steps.length - 1];
      expect(discard).toMatchObject({
        uses: actionRef(GITHUB_ACTIONS.tfcWorkflows, '/discard-run'),
        if: "${{ (failure() || cancelled()) && steps.run.outputs.run_id != '' && steps.apply.outcome != 'success' }}",
        'continue-on-error': true,
        with: { run: '${{ steps.run.outputs.run_id }}' },
      });
    });

    test(
      'THEN every action is pinned to the commit of a release, named beside it, and the Terraform Cloud actions get only inputs ' + 'they declare',
      () => {
        for (const [, job] of jobsWithSteps()) {
          for (const s of job.steps.filter((s) => s.uses)) {
            expect(s.uses).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
            if (s.uses!.startsWith('hashicorp/')) {
              expect(s.uses).toBe(actionRef(GITHUB_ACTIONS.tfcWorkflows, `/${actionName(s.uses!)}`));
              for (const input of Object.keys(s.with ?? {})) expect(TFC_ACTION_INPUTS[actionName(s.uses!)]).toContain(input);
            }
          }
        }
        for (const t of [text, applyText]) {
          for (const line of t.split('\n').filter((l) => /uses: \S+@[0-9a-f]{40}/.test(l))) expect(line).toMatch(/@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
        }
      },
    );
  });

  describe('WHEN looking for secrets', () => {
    test('THEN secrets are referenced by name only: TF_API_TOKEN, and nothing that looks like a token is written', () => {
      for (const t of [text, applyText]) {
        const references = [...t.matchAll(/secrets\.([A-Za-z0-9_]+)/g)].map((m) => m[1]);
        expect(references.length).toBeGreaterThan(0);
        expect(new Set(references)).toEqual(new Set(['TF_API_TOKEN']));
        expect([...t.matchAll(/secrets\.[A-Za-z0-9_]+/g)].length).toBe([...t.matchAll(/\$\{\{ secrets\.TF_API_TOKEN \}\}/g)].length);
        for (const pattern of TOKEN_PATTERNS) expect(t).not.toMatch(pattern);
        expect(t).not.toMatch(/secrets:\s*inherit/);
      }
    });

    test('THEN the token reaches only the steps that call Terraform Cloud, never npm or tenantctl', () => {
      for (const w of [workflow, apply]) expect(JSON.stringify(w.env)).not.toContain('secrets.');
      for (const [name, job] of jobsWithSteps()) {
        expect(`${name}: ${JSON.stringify(job.env ?? {})}`).not.toContain('secrets.');
        for (const s of job.steps) {
          const hasToken = JSON.stringify(s).includes('secrets.TF_API_TOKEN');
          const callsTfc = Boolean(s.uses?.startsWith('hashicorp/tfc-workflows-github/')) || s.id === 'workspace';
          expect({ job: name, step: s.name ?? s.uses, hasToken }).toEqual({ job: name, step: s.name ?? s.uses, hasToken: callsTfc });
        }
      }
      for (const job of [workflow.jobs.plan, applyJob]) expect(tfcSteps(job).length).toBeGreaterThanOrEqual(3);
    });
  });

  describe('WHEN the workflow files already exist', () => {
    test('THEN without --force it refuses, exits 1 and leaves both files unchanged', async () => {
      const file = path.join(root, WORKFLOW);
      fs.writeFileSync(file, '# edited by hand\n');
      const before = snapshotTree(root);
      const res = await cli(['ci', 'init', 'github', '--dir', root]);
      expect(res.status).toBe(1);
      expect(res.stderr).toContain(`${APPLY_WORKFLOW} and `);
      expect(res.stderr).toContain(`${WORKFLOW} already exist`);
      expect(res.stderr).toContain('--force');
      expect(snapshotTree(root)).toEqual(before);
    });

    test('THEN without --force it refuses when only one of them exists, and writes nothing', async () => {
      for (const [present, absent] of [
        [WORKFLOW, APPLY_WORKFLOW],
        [APPLY_WORKFLOW, WORKFLOW],
      ]) {
        const dir = await tfcProject(scratchDir());
        fs.mkdirSync(path.join(dir, '.github/workflows'), { recursive: true });
        fs.writeFileSync(path.join(dir, present), '# edited by hand\n');
        const before = snapshotTree(dir);
        const res = await cli(['ci', 'init', 'github', '--dir', dir]);
        expect(res.status).toBe(1);
        expect(res.stderr).toContain(`${present} already exists`);
        expect(res.stderr).toContain('--force');
        expect(snapshotTree(dir)).toEqual(before);
        expect(fs.existsSync(path.join(dir, absent))).toBe(false);
      }
    });

    test('THEN with --force it replaces both', async () => {
      fs.writeFileSync(path.join(root, APPLY_WORKFLOW), '# edited by hand\n');
      const res = await cli(['ci', 'init', 'github', '--force', '--branch', 'trunk', '--node-version', '22', '--max-parallel', '8', '--dir', root]);
      expect(res.status).toBe(0);
      expect(res.stdout).toContain('replaced');
      const { workflow: replaced, apply: replacedApply } = readWorkflow(root);
      expect(replaced.on.push.branches).toEqual(['trunk']);
      expect(replaced.jobs['apply-tenants'].if).toContain("github.ref == 'refs/heads/trunk'");
      expect(replaced.jobs.plan.strategy!['max-parallel']).toBe(8);
      expect(replaced.jobs.plan.steps[1].with!['node-version']).toBe('22');
      expect(Object.fromEntries(APPLY_JOBS.map((name) => [name, replaced.jobs[name].with!['max-parallel']]))).toEqual({
        'apply-workspaces': 1,
        'apply-bootstrap': 8,
        'apply-platform': 1,
        'apply-cluster': 1,
        'apply-tenants': 8,
      });
      expect(Object.keys(replacedApply.on)).toEqual(['workflow_call']);
      expect(replacedApply.jobs.apply.steps[1].with!['node-version']).toBe('22');
    });
  });
});

describe('GIVEN a project in a subdirectory of a git repository', () => {
  const repo = scratchDir();
  const project = path.join(repo, 'infra', 'platform');
  let result: CliResult;
  let workflow: Workflow;
  let apply: Workflow;
  beforeAll(async () => {
    git(repo, 'init', '-q', '-b', 'main');
    fs.mkdirSync(project, { recursive: true });
    await tfcProject(project, { organization: 'acme-corp', hostname: 'tfe.acme.example' });
    result = await cli(['ci', 'init', 'github'], { cwd: project });
    ({ workflow, apply } = readWorkflow(repo));
  });

  test('THEN both workflows are written at the repository root, not in the project', () => {
    expect(result.status).toBe(0);
    expect(fs.existsSync(path.join(repo, WORKFLOW))).toBe(true);
    expect(fs.existsSync(path.join(repo, APPLY_WORKFLOW))).toBe(true);
    expect(fs.existsSync(path.join(project, '.github'))).toBe(false);
  });

  test('THEN every run step works in the project directory and npm caches its lock file', () => {
    for (const w of [workflow, apply]) {
      expect(w.defaults.run).toEqual({ shell: 'bash', 'working-directory': 'infra/platform' });
      for (const job of Object.values(w.jobs)) {
        for (const s of (job.steps ?? []).filter((s) => s.uses === actionRef(GITHUB_ACTIONS.setupNode)))
          expect(s.with!['cache-dependency-path']).toBe('infra/platform/package-lock.json');
      }
    }
    expect(apply.jobs.apply.steps.filter((s) => s.uses === actionRef(GITHUB_ACTIONS.setupNode))).toHaveLength(1);
  });

  test('THEN a Terraform Enterprise hostname from platform.json is used', () => {
    for (const w of [workflow, apply]) expect(w.env).toMatchObject({ TF_CLOUD_HOSTNAME: 'tfe.acme.example', TF_HOSTNAME: 'tfe.acme.example' });
  });

  test.each([
    ['a plan', () => step(workflow.jobs.plan, 'synth')],
    ['an apply', () => step(apply.jobs.apply, 'synth')],
  ])(
    "THEN %s's synth step gives the stack's workspace and its directory relative to the repository root (what the Docker actions see)",
    (_, synth) => {
      const res = runStep(synth().run!, { cwd: project, env: { STACK: 'tenant-acme', GITHUB_WORKSPACE: repo } });
      expect(res.stderr).toBe('');
      expect(res.status).toBe(0);
      expect(res.outputs).toEqual({ workspace: 'saas-prod-tenant-acme', directory: 'infra/platform/cdktf.out/stacks/tenant-acme' });
      const config = JSON.parse(fs.readFileSync(path.join(repo, res.outputs.directory, 'cdk.tf.json'), 'utf8'));
      expect(config.terraform.cloud).toMatchObject({ organization: 'acme-corp', hostname: 'tfe.acme.example' });
    },
  );
});

describe('GIVEN the scripts of the changes job', () => {
  const repo = scratchDir();
  beforeAll(() => tfcProject(repo));
  let workflow: Workflow;
  let first: string;
  let second: string;
  beforeAll(async () => {
    git(repo, 'init', '-q', '-b', 'main');
    expect((await cli(['ci', 'init', 'github', '--dir', repo])).status).toBe(0);
    ({ workflow } = readWorkflow(repo));
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'first');
    first = git(repo, 'rev-parse', 'HEAD');
    fs.writeFileSync(path.join(repo, 'README.md'), 'platform\n');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'second');
    second = git(repo, 'rev-parse', 'HEAD');
  });
  const base = (env: Record<string, string>) =>
    runStep(step(workflow.jobs.changes, 'base').run!, {
      cwd: repo,
      env: {
        EVENT_NAME: 'push',
        PR_BASE_REF: '',
        BEFORE: '',
        DISPATCH_BASE: '',
        WORKFLOW_REF: 'acme/platform/.github/workflows/tenantctl.yml@refs/heads/main',
        BRANCH: 'main',
        ...env,
      },
    });

  test('THEN a pull request is compared with its base branch', () => {
    expect(base({ EVENT_NAME: 'pull_request', PR_BASE_REF: 'main' }).outputs).toEqual({ ref: 'origin/main' });
  });

  test('THEN a push is compared with the commit of the last successful run, else with the commit before the push', () => {
    expect(base({ BEFORE: second, FAKE_LAST_SUCCESS: first }).outputs).toEqual({ ref: first });
    expect(base({ BEFORE: first }).outputs).toEqual({ ref: first });
  });

  test('THEN the all-zero "before" of a new branch falls back to the parent commit', () => {
    const res = base({ BEFORE: '0000000000000000000000000000000000000000' });
    expect(res.outputs).toEqual({ ref: first });
    expect(res.stdout).toContain('::warning::');
  });

  test('THEN a run by hand takes a given base, "all" for every stack, and rejects an unknown ref', () => {
    expect(base({ EVENT_NAME: 'workflow_dispatch', DISPATCH_BASE: first }).outputs).toEqual({ ref: first });
    expect(base({ EVENT_NAME: 'workflow_dispatch', DISPATCH_BASE: 'all' }).outputs).toEqual({ ref: '' });
    const bad = base({ EVENT_NAME: 'workflow_dispatch', DISPATCH_BASE: 'no-such-ref' });
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).toContain('::error::no-such-ref is not a commit');
  });

  test('THEN the changed stacks are sorted into apply groups and removed stacks are left out', () => {
    const changed = {
      base: 'origin/main',
      baseCommit: first,
      stacks: [
        { name: 'tenant-zeta', kind: 'tenant', change: 'added', workspace: 'saas-prod-tenant-zeta' },
        { name: 'platform', kind: 'platform', change: 'modified', workspace: 'saas-prod-platform' },
        { name: 'workspaces', kind: 'workspaces', change: 'modified', workspace: 'saas-prod-workspaces' },
        { name: 'bootstrap-platform', kind: 'bootstrap', change: 'modified', workspace: 'saas-prod-bootstrap-platform' },
        { name: 'tenant-acme', kind: 'tenant', change: 'modified', workspace: 'saas-prod-tenant-acme' },
        { name: 'tenant-gone', kind: 'tenant', change: 'removed', workspace: 'saas-prod-tenant-gone' },
      ],
      names: ['workspaces', 'bootstrap-platform', 'platform', 'tenant-acme', 'tenant-gone', 'tenant-zeta'],
      groups: {
        workspaces: ['workspaces'],
        bootstrap: ['bootstrap-platform'],
        platform: ['platform'],
        tenants: ['tenant-acme', 'tenant-gone', 'tenant-zeta'],
      },
    };
    const file = path.join(scratchDir(), 'changed.json');
    fs.writeFileSync(file, JSON.stringify(changed));
    const res = runStep(step(workflow.jobs.changes, 'changed').run!, { cwd: repo, env: { BASE: 'origin/main', FAKE_CHANGED: file } });
    expect(res.status).toBe(0);
    expect(res.outputs).toEqual({
      stacks: JSON.stringify(['workspaces', 'bootstrap-platform', 'platform', 'tenant-acme', 'tenant-zeta']),
      unplanned: '[]',
      removed: JSON.stringify(['tenant-gone']),
      releases: '[]',
      workspaces: '["workspaces"]',
      bootstrap: '["bootstrap-platform"]',
      platform: '["platform"]',
      cluster: '[]',
      tenants: '["tenant-acme","tenant-zeta"]',
    });
  });

  test('THEN a pull request plans at most 256 stacks (one matrix) and names the rest; an apply refuses to leave any out', () => {
    const names = Array.from({ length: 300 }, (_, i) => `tenant-t${String(i).padStart(3, '0')}`);
    const file = path.join(scratchDir(), 'changed.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        base: 'x',
        baseCommit: first,
        stacks: names.map((name) => ({ name, kind: 'tenant', change: 'modified', workspace: `saas-prod-${name}` })),
      }),
    );
    const pr = runStep(step(workflow.jobs.changes, 'changed').run!, {
      cwd: repo,
      env: { BASE: 'origin/main', FAKE_CHANGED: file, GITHUB_EVENT_NAME: 'pull_request' },
    });
    expect(pr.status).toBe(0);
    expect(JSON.parse(pr.outputs.stacks)).toEqual(names.slice(0, 256));
    expect(JSON.parse(pr.outputs.unplanned)).toEqual(names.slice(256));
    const push = runStep(step(workflow.jobs.changes, 'changed').run!, { cwd: repo, env: { BASE: first, FAKE_CHANGED: file } });
    expect(push.status).not.toBe(0);
    expect(push.stdout).toContain('::error::300 tenants stacks changed: a GitHub Actions matrix holds at most 256 jobs');
    expect(push.outputs).toEqual({});
  });

  test('THEN no change gives empty groups, which skip the plan and apply jobs', () => {
    const file = path.join(scratchDir(), 'changed.json');
    fs.writeFileSync(
      file,
      JSON.stringify({ base: 'x', baseCommit: first, stacks: [], names: [], groups: { workspaces: [], bootstrap: [], platform: [], tenants: [] } }),
    );
    const res = runStep(step(workflow.jobs.changes, 'changed').run!, { cwd: repo, env: { BASE: first, FAKE_CHANGED: file } });
    expect(res.status).toBe(0);
    expect(res.outputs).toMatchObject({ stacks: '[]', workspaces: '[]', bootstrap: '[]', platform: '[]', tenants: '[]' });
  });

  test('THEN with the real `tenantctl changed`, a new tenant is applied after its workspace and run role', async () => {
    expect((await cli(['tenant', 'add', 'beta', '--tier', 'starter', '--no-synth', '--dir', repo])).status).toBe(0);
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'tenant beta');
    const res = runStep(step(workflow.jobs.changes, 'changed').run!, { cwd: repo, env: { BASE: second } });
    expect(res.stderr).not.toContain('unexpected');
    expect(res.status).toBe(0);
    expect(JSON.parse(res.outputs.tenants)).toEqual(['tenant-beta']);
    expect(JSON.parse(res.outputs.workspaces)).toEqual(['workspaces']);
    expect(JSON.parse(res.outputs.platform)).toEqual([]);
    expect(JSON.parse(res.outputs.stacks)).toEqual([...JSON.parse(res.outputs.workspaces), ...JSON.parse(res.outputs.bootstrap), 'tenant-beta']);
  });

  test('THEN with no base every synthesized stack is planned or applied, in apply order', () => {
    const res = runStep(step(workflow.jobs.changes, 'changed').run!, { cwd: repo, env: { BASE: '' } });
    expect(res.status).toBe(0);
    expect(JSON.parse(res.outputs.stacks)).toEqual(['workspaces', 'bootstrap-platform', 'platform', 'cluster', 'tenant-acme', 'tenant-beta']);
    expect(res.outputs.tenants).toBe('["tenant-acme","tenant-beta"]');
  });
});

describe('GIVEN the plan summary and the pull request comment', () => {
  const repo = scratchDir();
  beforeAll(() => tfcProject(repo));
  let workflow: Workflow;
  beforeAll(async () => {
    expect((await cli(['ci', 'init', 'github', '--dir', repo])).status).toBe(0);
    ({ workflow } = readWorkflow(repo));
  });

  function record(env: Record<string, string>, runnerTemp?: string) {
    return runStep(step(workflow.jobs.plan, 'Record the plan').run!, {
      cwd: repo,
      env: { ...(runnerTemp ? { RUNNER_TEMP: runnerTemp } : {}), ...env },
    });
  }

  async function comment(planDir: string, existing: ExistingComment[], env: Record<string, string>) {
    const script = String(workflow.jobs.comment.steps.find((s) => s.uses === actionRef(GITHUB_ACTIONS.githubScript))!.with!.script);
    return runCommentScript(script, { PLAN_DIR: planDir, CHANGES_RESULT: 'success', STACKS: '[]', REMOVED: '[]', ...env }, existing);
  }

  test('THEN each plan leg records its result for the comment', () => {
    const temp = scratchDir('tenantctl-runner-');
    record(
      {
        STACK: 'tenant-acme',
        WORKSPACE: 'saas-prod-tenant-acme',
        EXISTS: 'true',
        RUN_OUTCOME: 'success',
        RUN_STATUS: 'planned_and_finished',
        RUN_LINK: 'https://app.terraform.io/run-1',
        ADD: '3',
        CHANGE: '1',
        DESTROY: '0',
      },
      temp,
    );
    record({ STACK: 'tenant-new', WORKSPACE: 'saas-prod-tenant-new', EXISTS: 'false', RUN_OUTCOME: 'skipped' }, temp);
    const recorded = JSON.parse(fs.readFileSync(path.join(temp, 'tenantctl-plan/tenant-acme.json'), 'utf8'));
    expect(recorded).toEqual({
      stack: 'tenant-acme',
      workspace: 'saas-prod-tenant-acme',
      result: 'planned',
      runStatus: 'planned_and_finished',
      runLink: 'https://app.terraform.io/run-1',
      add: 3,
      change: 1,
      destroy: 0,
    });
    expect(JSON.parse(fs.readFileSync(path.join(temp, 'tenantctl-plan/tenant-new.json'), 'utf8')).result).toBe('new');
  });

  test('THEN the first comment is created with every stack, the next one updates it', async () => {
    const temp = scratchDir('tenantctl-runner-');
    record(
      {
        STACK: 'platform',
        WORKSPACE: 'saas-prod-platform',
        EXISTS: 'true',
        RUN_OUTCOME: 'success',
        RUN_LINK: 'https://app.terraform.io/run-2',
        ADD: '0',
        CHANGE: '0',
        DESTROY: '2',
      },
      temp,
    );
    record({ STACK: 'tenant-acme', WORKSPACE: 'saas-prod-tenant-acme', EXISTS: 'true', RUN_OUTCOME: 'failure', RUN_STATUS: 'errored' }, temp);
    const env = {
      STACKS: JSON.stringify(['platform', 'tenant-acme', 'tenant-lost']),
      UNPLANNED: JSON.stringify(['tenant-later']),
      REMOVED: JSON.stringify(['tenant-gone']),
    };

    const created = await comment(path.join(temp, 'tenantctl-plan'), [{ id: 1, body: 'LGTM', user: { type: 'User' } }], env);
    const create = created.find((c) => c.method === 'createComment')!;
    expect(create.args.issue_number).toBe(7);
    const body: string = create.args.body;
    expect(body.startsWith('<!-- tenantctl-plan -->')).toBe(true);
    expect(body).toContain('| `platform` | `saas-prod-platform` | :warning: +0 ~0 -2 | [plan](https://app.terraform.io/run-2) |');
    expect(body).toContain('| `tenant-acme` | `saas-prod-tenant-acme` | :x: failed (errored) |');
    expect(body).toContain('| `tenant-lost` | | :grey_question: no result |');
    expect(body).toContain('4 stack(s) changed at abcdef0.');
    expect(body).toContain('Not planned (a GitHub Actions matrix holds at most 256 jobs): `tenant-later`');
    expect(body).toContain('`tenant-gone`');

    const updated = await comment(path.join(temp, 'tenantctl-plan'), [{ id: 9, body: `${body}`, user: { type: 'Bot' } }], env);
    expect(updated.map((c) => c.method)).toEqual(['listComments', 'updateComment']);
    expect(updated[1].args.comment_id).toBe(9);
  });

  test('THEN a failed validation is reported in the comment instead of plans', async () => {
    const calls = await comment(path.join(scratchDir(), 'none'), [], { CHANGES_RESULT: 'failure' });
    expect(calls.find((c) => c.method === 'createComment')!.args.body).toContain('`tenantctl validate` or the change detection failed');
  });
});

describe('GIVEN a project without Terraform Cloud', () => {
  const dir = scratchDir();
  beforeAll(() => tfcProject(dir, null));

  test('THEN `tenantctl ci init github` explains that plans need Terraform Cloud, exits 1 and writes nothing', async () => {
    const before = snapshotTree(dir);
    const res = await cli(['ci', 'init', 'github', '--dir', dir]);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('platform.json has no "terraformCloud"');
    expect(res.stderr).toContain('"organization"');
    expect(snapshotTree(dir)).toEqual(before);
  });
});

describe('GIVEN bad input', () => {
  const dir = scratchDir();
  beforeAll(() => tfcProject(dir));

  test.each([
    [['ci', 'init', 'gitlab'], 'unknown CI provider "gitlab"'],
    [['ci', 'init', 'github', '--branch', 'main branch'], '--branch "main branch"'],
    [['ci', 'init', 'github', '--branch', "main'"], '--branch'],
    [['ci', 'init', 'github', '--node-version', '18'], '--node-version "18"'],
    [['ci', 'init', 'github', '--max-parallel', '0'], '--max-parallel 0'],
    [['ci', 'init', 'github', '--max-parallel', 'many'], '--max-parallel "many"'],
  ])('THEN %j is a usage error (exit 2) that writes nothing', async (args, message) => {
    const before = snapshotTree(dir);
    const res = await cli([...args, '--dir', dir]);
    expect(res.status).toBe(2);
    expect(res.stderr).toContain(message);
    expect(snapshotTree(dir)).toEqual(before);
  });

  test('THEN a directory without platform.json is an error that names the file', async () => {
    const empty = scratchDir();
    const res = await cli(['ci', 'init', 'github', '--dir', empty]);
    expect(res.status).toBe(1);
    expect(res.stderr).toContain('platform.json does not exist');
    expect(fs.readdirSync(empty)).toEqual([]);
  });
});
