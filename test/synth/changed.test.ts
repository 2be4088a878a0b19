import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TenantctlError } from '../../src/model/errors';
import { loadProject } from '../../src/project/project';
import { applyOrder, changedJson, changedStacks, type ChangedResult } from '../../src/synth/changed';
import { synthesize } from '../../src/synth/synthesize';
import { cli } from '../cli/helpers';

/**
 * `tenantctl changed` against real git repositories made here: a project is committed, changed
 * in the work tree (or in a later commit), and compared with the first commit.
 */

const tmpDirs: string[] = [];
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

function tmpDir(name: string): string {
  // realpath: git reports the top level with symlinks resolved (macOS /tmp).
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `tenantctl-${name}-`)));
  tmpDirs.push(dir);
  return dir;
}

/** A platform.json written by the real `tenantctl init platform`, shared by every repository. */
let platformTemplate: Record<string, any>;
beforeAll(async () => {
  const dir = tmpDir('init');
  const res = await cli(['init', 'platform', '--yes', '--account-id', '111122223333', '--no-synth', '--dir', dir]);
  expect(res.stderr).toBe('');
  expect(res.status).toBe(0);
  platformTemplate = JSON.parse(fs.readFileSync(path.join(dir, 'platform.json'), 'utf8'));
});

const TENANTS = [
  { version: 1, id: 'alpha', tier: 'enterprise' },
  { version: 1, id: 'beta', tier: 'starter' },
  { version: 1, id: 'gamma', tier: 'standard' },
  { version: 1, id: 'delta', tier: 'starter' },
];

const TFC = {
  terraformCloud: { organization: 'acme-corp' },
  aws: {
    region: 'us-east-1',
    accountId: '111122223333',
    serviceAccounts: [{ name: 'payments', accountId: '222233334444', purpose: 'Payment services' }],
  },
};

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

interface TestRepo {
  /** Top level of the git repository. */
  readonly top: string;
  /** The project directory (top, or a subdirectory of it). */
  readonly dir: string;
  writeJson(rel: string, value: unknown): void;
  editJson(rel: string, edit: (json: any) => void): void;
  remove(rel: string): void;
  commit(message: string): string;
}

/** A git repository whose first commit holds a project (platform.json plus tenants/*.json). */
function repoWithProject(opts: { platform?: Record<string, unknown>; tenants?: object[]; subdir?: string } = {}): TestRepo {
  const top = tmpDir('repo');
  git(top, 'init', '--quiet', '--initial-branch', 'main');
  git(top, 'config', 'user.name', 'Test');
  git(top, 'config', 'user.email', 'test@example.com');
  git(top, 'config', 'commit.gpgsign', 'false');
  const dir = opts.subdir ? path.join(top, opts.subdir) : top;
  const repo: TestRepo = {
    top,
    dir,
    writeJson: (rel, value) => {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), JSON.stringify(value, null, 2) + '\n');
    },
    editJson: (rel, edit) => {
      const json = JSON.parse(fs.readFileSync(path.join(dir, rel), 'utf8'));
      edit(json);
      repo.writeJson(rel, json);
    },
    remove: (rel) => fs.rmSync(path.join(dir, rel)),
    commit: (message) => {
      git(top, 'add', '--all');
      git(top, 'commit', '--quiet', '--message', message);
      return git(top, 'rev-parse', 'HEAD').trim();
    },
  };
  repo.writeJson('platform.json', { ...platformTemplate, ...opts.platform });
  for (const t of opts.tenants ?? TENANTS) repo.writeJson(`tenants/${(t as { id: string }).id}.json`, t);
  repo.commit('project');
  return repo;
}

const listed = (result: ChangedResult) => result.stacks.map((s) => `${s.name} ${s.change}`);

describe('tenantctl changed (module) against a real git repository', () => {
  test('GIVEN no change THEN no stack is listed', async () => {
    const repo = repoWithProject();
    const result = await changedStacks(repo.dir, 'main');
    expect(result.stacks).toEqual([]);
    expect(result.baseCommit).toBe(git(repo.top, 'rev-parse', 'main').trim());
    expect(result.toolChange).toBeNull();
  });

  test("GIVEN one tenant's file changes (a per-tenant override) THEN exactly that tenant's stack is modified", async () => {
    const repo = repoWithProject();
    repo.editJson('tenants/beta.json', (t) => (t.overrides = { tier: { quota: { cpu: '2' } } }));
    expect(listed(await changedStacks(repo.dir, 'main'))).toEqual(['tenant-beta modified']);
  });

  test(
    'GIVEN a tenant file changes in formatting or in a field no stack uses THEN nothing is listed (the synthesized JSON is compared, ' +
      'not the files)',
    async () => {
      const repo = repoWithProject();
      fs.writeFileSync(path.join(repo.dir, 'tenants/beta.json'), JSON.stringify(TENANTS[1]));
      repo.editJson('tenants/gamma.json', (t) => (t.displayName = 'Gamma Inc'));
      expect((await changedStacks(repo.dir, 'main')).stacks).toEqual([]);
    },
  );

  test('GIVEN a new tenant without Terraform Cloud THEN only its stack is listed, as added', async () => {
    const repo = repoWithProject();
    repo.writeJson('tenants/epsilon.json', { version: 1, id: 'epsilon', tier: 'standard' });
    expect(listed(await changedStacks(repo.dir, 'main'))).toEqual(['tenant-epsilon added']);
  });

  test(
    'GIVEN a tenant removed at the base and finalized now (its file deleted) THEN its stack is listed as removed, where it stood among ' +
      'the tenants',
    async () => {
      const repo = repoWithProject({ tenants: [TENANTS[0], { ...TENANTS[1], status: 'removed' }, ...TENANTS.slice(2)] });
      repo.remove('tenants/beta.json');
      repo.writeJson('tenants/zeta.json', { version: 1, id: 'zeta', tier: 'starter' });
      repo.editJson('tenants/gamma.json', (t) => (t.overrides = { tier: { requestsPerSecond: 150 } }));
      // Head order: alpha, delta, gamma, zeta (sorted ids); beta goes back after alpha.
      expect(listed(await changedStacks(repo.dir, 'main'))).toEqual(['tenant-beta removed', 'tenant-gamma modified', 'tenant-zeta added']);
    },
  );

  test('GIVEN an active tenant whose file is deleted by hand THEN it is an error that says how to remove it', async () => {
    const repo = repoWithProject();
    repo.remove('tenants/beta.json');
    const error = await changedStacks(repo.dir, 'main').catch((err: TenantctlError) => err);
    expect(error).toBeInstanceOf(TenantctlError);
    expect((error as TenantctlError).message).toBe(
      'tenant file deleted while its stack still has resources:\n' +
        '  - tenants/beta.json is gone, but tenant beta was not removed first: it is active at main\n' +
        'Without its file a tenant stack is no longer planned, and its namespace, IAM roles and nodes would be left running, unmanaged.',
    );
    expect((error as TenantctlError).hint).toBe(
      "Restore the file (git checkout main -- tenants/beta.json), run `tenantctl tenant remove beta` and apply: that destroys the stack's " +
        'resources. Then `tenantctl tenant finalize` deletes the file.',
    );
  });

  test('GIVEN a tenant file deleted before its first commit while its local state holds resources THEN it is an error too', async () => {
    const repo = repoWithProject();
    repo.writeJson('state/tenant-omega/terraform.tfstate', { version: 4, resources: [{ type: 'kubernetes_namespace_v1', name: 'ns' }] });
    repo.writeJson('state/tenant-empty/terraform.tfstate', { version: 4, resources: [] });
    await expect(changedStacks(repo.dir, 'main')).rejects.toThrow(
      'tenants/omega.json is gone, but tenant omega was not removed first: state/tenant-omega/terraform.tfstate holds 1 resource\n',
    );
  });

  test('GIVEN a tenant is marked removed (status removed) THEN its stack is modified, not removed (it is emptied)', async () => {
    const repo = repoWithProject();
    repo.editJson('tenants/delta.json', (t) => (t.status = 'removed'));
    expect(listed(await changedStacks(repo.dir, 'main'))).toEqual(['tenant-delta modified']);
  });

  test('GIVEN a tier setting changes in platform.json THEN exactly the tenants of that tier are modified, not the platform', async () => {
    const repo = repoWithProject();
    repo.editJson('platform.json', (p) => (p.tiers = { starter: { quota: { cpu: '2' } } }));
    // The platform stack uses the tiers only for PriorityClasses: a quota leaves its JSON as it is.
    expect(listed(await changedStacks(repo.dir, 'main'))).toEqual(['tenant-beta modified', 'tenant-delta modified']);
  });

  test('GIVEN a platform setting that only the platform uses changes THEN only the platform is modified', async () => {
    const repo = repoWithProject();
    repo.editJson('platform.json', (p) => (p.edge = { ...p.edge, rateLimitPerIp: 3000 }));
    expect(listed(await changedStacks(repo.dir, 'main'))).toEqual(['platform modified']);
  });

  test('GIVEN platform.json is only reformatted THEN every stack is synthesized twice and none differs (synthesis is deterministic)', async () => {
    const repo = repoWithProject();
    fs.writeFileSync(path.join(repo.dir, 'platform.json'), JSON.stringify({ ...platformTemplate }));
    expect((await changedStacks(repo.dir, 'main')).stacks).toEqual([]);
  });

  describe('GIVEN the project was synthesized before platform.json was edited', () => {
    /** changed's answer, and how many stacks it synthesized (its progress counts both sides). */
    const changedWithCount = async (dir: string) => {
      let synthesized = 0;
      const result = await changedStacks(dir, 'main', { run: { onProgress: (_done, total) => (synthesized = total) } });
      return { listed: listed(result), synthesized };
    };
    const editedRepo = () => {
      const repo = repoWithProject();
      synthesize(loadProject(repo.dir));
      repo.editJson('platform.json', (p) => (p.tiers = { starter: { quota: { cpu: '2' } } }));
      return repo;
    };
    const answer = ['tenant-beta modified', 'tenant-delta modified'];

    test("THEN the base's stacks are compared from cdktf.out, only the edited side is synthesized, and the answer is the same", async () => {
      const repo = editedRepo();
      // platform.json feeds every stack: platform, cluster and four tenants, once.
      expect(await changedWithCount(repo.dir)).toEqual({ listed: answer, synthesized: 6 });
      fs.rmSync(path.join(repo.dir, 'cdktf.out'), { recursive: true });
      expect(await changedWithCount(repo.dir)).toEqual({ listed: answer, synthesized: 12 });
    });

    test("WHEN a stack's output there was edited by hand THEN the base synthesizes that stack itself", async () => {
      const repo = editedRepo();
      const file = path.join(repo.dir, 'cdktf.out', 'stacks', 'tenant-beta', 'cdk.tf.json');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('"starter"', '"enterprise"'));
      expect(await changedWithCount(repo.dir)).toEqual({ listed: answer, synthesized: 7 });
    });
  });

  test('GIVEN a base commit without the project THEN every stack is added', async () => {
    const repo = repoWithProject({ tenants: [TENANTS[0]] });
    // A commit with an empty tree, outside main's history: a base before the project existed.
    const emptyTree = execFileSync('git', ['mktree'], { cwd: repo.top, input: '', encoding: 'utf8' }).trim();
    const empty = git(repo.top, 'commit-tree', emptyTree, '-m', 'empty').trim();
    expect(listed(await changedStacks(repo.dir, empty))).toEqual(['platform added', 'cluster added', 'tenant-alpha added']);
  });

  test('GIVEN the project lives in a subdirectory of the repository THEN its files there are compared', async () => {
    const repo = repoWithProject({ subdir: 'infra/prod' });
    repo.editJson('tenants/gamma.json', (t) => (t.tier = 'starter'));
    repo.commit('gamma to starter');
    const result = await changedStacks(repo.dir, 'HEAD~1');
    expect(listed(result)).toEqual(['tenant-gamma modified']);
    expect((await changedStacks(repo.dir, 'HEAD')).stacks).toEqual([]);
  });

  test('GIVEN a ref that is not a commit, or a directory outside git THEN a TenantctlError says so', async () => {
    const repo = repoWithProject({ tenants: [] });
    await expect(changedStacks(repo.dir, 'no-such-branch')).rejects.toThrow(
      new TenantctlError(`--base no-such-branch is not a commit in the repository at ${repo.top}`),
    );
    const blob = git(repo.top, 'rev-parse', 'main:platform.json').trim();
    await expect(changedStacks(repo.dir, blob)).rejects.toThrow(/is not a commit/);
    const outside = tmpDir('nogit');
    await expect(changedStacks(outside, 'main')).rejects.toThrow(/is not inside a git work tree/);
  });

  test('GIVEN a base whose project does not validate today THEN the error names the ref and the file at fault', async () => {
    const repo = repoWithProject({ tenants: [{ version: 1, id: 'alpha', tier: 'enterprise', colour: 'blue' }] });
    repo.writeJson('tenants/alpha.json', TENANTS[0]);
    let error: unknown;
    try {
      await changedStacks(repo.dir, 'main');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(TenantctlError);
    expect((error as Error).message).toMatch(/^the project at --base main \([0-9a-f]{12}\) does not load with this tenantctl/);
    expect((error as Error).message).toContain('tenants/alpha.json is invalid');
    expect((error as Error).message).toContain('"colour"');
  });

  test('GIVEN package-lock.json pins another tenantctl at base THEN every stack is listed as modified, with the reason', async () => {
    const lock = (version: string) => ({
      name: 'my-platform',
      lockfileVersion: 3,
      packages: {
        '': { name: 'my-platform' },
        'node_modules/tenantctl': { version, resolved: `https://registry.npmjs.org/tenantctl/-/tenantctl-${version}.tgz` },
      },
    });
    const repo = repoWithProject({ tenants: TENANTS.slice(0, 2) });
    repo.writeJson('package-lock.json', lock('0.1.0'));
    repo.commit('lock');
    repo.writeJson('package-lock.json', lock('0.2.0'));
    repo.writeJson('tenants/zeta.json', { version: 1, id: 'zeta', tier: 'starter' });
    const result = await changedStacks(repo.dir, 'main');
    expect(listed(result)).toEqual(['platform modified', 'cluster modified', 'tenant-alpha modified', 'tenant-beta modified', 'tenant-zeta added']);
    expect(result.stacks[0].reason).toBe('tenantctl 0.1.0 at base, 0.2.0 now (package-lock.json)');
    expect(result.stacks[4].reason).toBeNull();
    expect(result.toolChange?.base?.version).toBe('0.1.0');

    // The same tenantctl on both sides: back to comparing the synthesized JSON.
    repo.writeJson('package-lock.json', lock('0.1.0'));
    expect(listed(await changedStacks(repo.dir, 'main'))).toEqual(['tenant-zeta added']);
  });

  describe('GIVEN Terraform Cloud with a service account', () => {
    test(
      'WHEN a tenant is added in the platform account THEN its stack is added and the workspaces and bootstrap-platform stacks (its ' +
        'workspace, its run role) are modified, nothing else',
      async () => {
        const repo = repoWithProject({ platform: TFC, tenants: [TENANTS[0], { ...TENANTS[1], serviceAccount: 'payments' }] });
        repo.writeJson('tenants/epsilon.json', { version: 1, id: 'epsilon', tier: 'standard' });
        const result = await changedStacks(repo.dir, 'main');
        expect(listed(result)).toEqual(['workspaces modified', 'bootstrap-platform modified', 'tenant-epsilon added']);
        expect(result.stacks.map((s) => s.workspace)).toEqual(['saas-prod-workspaces', 'saas-prod-bootstrap-platform', 'saas-prod-tenant-epsilon']);
      },
    );

    test(
      'WHEN a tenant is added in the service account THEN bootstrap-payments (its run role) and bootstrap-platform (its role for the ' +
        'cluster and database) change too',
      async () => {
        const repo = repoWithProject({ platform: TFC, tenants: [TENANTS[0], { ...TENANTS[1], serviceAccount: 'payments' }] });
        repo.writeJson('tenants/zeta.json', { version: 1, id: 'zeta', tier: 'starter', serviceAccount: 'payments' });
        const result = await changedStacks(repo.dir, 'main');
        expect(listed(result)).toEqual(['workspaces modified', 'bootstrap-platform modified', 'bootstrap-payments modified', 'tenant-zeta added']);
        expect(changedJson(result).groups).toEqual({
          workspaces: ['workspaces'],
          bootstrap: ['bootstrap-platform', 'bootstrap-payments'],
          platform: [],
          cluster: [],
          tenants: ['tenant-zeta'],
        });
      },
    );

    test(
      'WHEN tenants are added, removed and changed together THEN the shortcut (synthesize only what may differ) gives what synthesizing ' +
        'everything gives',
      async () => {
        const repo = repoWithProject({
          platform: TFC,
          tenants: [TENANTS[0], { ...TENANTS[1], serviceAccount: 'payments' }, { ...TENANTS[2], status: 'removed' }],
        });
        repo.remove('tenants/gamma.json');
        repo.editJson('tenants/alpha.json', (t) => (t.tier = 'standard'));
        repo.editJson('tenants/beta.json', (t) => (t.displayName = 'Beta'));
        repo.writeJson('tenants/zeta.json', { version: 1, id: 'zeta', tier: 'starter', serviceAccount: 'payments' });
        const fast = await changedStacks(repo.dir, 'main');
        expect(listed(fast)).toEqual([
          'workspaces modified',
          'bootstrap-platform modified',
          'bootstrap-payments modified',
          'tenant-alpha modified',
          'tenant-gamma removed',
          'tenant-zeta added',
        ]);
        expect(await changedStacks(repo.dir, 'main', { synthesizeAll: true })).toEqual(fast);
      },
    );

    test(
      "WHEN a tenant's rate limit override changes THEN its stack and its pipeline's entitlement (bootstrap-platform) are modified, its " +
        'workspace definition stays the same',
      async () => {
        const repo = repoWithProject({ platform: TFC, tenants: [TENANTS[0], { ...TENANTS[1], serviceAccount: 'payments' }] });
        repo.editJson('tenants/beta.json', (t) => (t.overrides = { tier: { requestsPerSecond: 200 } }));
        expect(listed(await changedStacks(repo.dir, 'main'))).toEqual(['bootstrap-platform modified', 'tenant-beta modified']);
      },
    );

    test("WHEN a tenant's override that is no entitlement changes THEN only its stack is modified", async () => {
      const repo = repoWithProject({ platform: TFC, tenants: [TENANTS[0], { ...TENANTS[1], serviceAccount: 'payments' }] });
      repo.editJson('tenants/beta.json', (t) => (t.overrides = { tier: { limitRange: { maxCpu: '1500m' } } }));
      expect(listed(await changedStacks(repo.dir, 'main'))).toEqual(['tenant-beta modified']);
    });
  });
});

describe('applyOrder', () => {
  test('keeps head order and puts each removed stack after the stack that preceded it at base', async () => {
    expect(applyOrder(['platform', 'tenant-a', 'tenant-b', 'tenant-c'], ['platform', 'tenant-a', 'tenant-c', 'tenant-d'])).toEqual([
      'platform',
      'tenant-a',
      'tenant-b',
      'tenant-c',
      'tenant-d',
    ]);
    expect(applyOrder(['workspaces', 'bootstrap-platform', 'bootstrap-old', 'platform'], ['platform'])).toEqual([
      'workspaces',
      'bootstrap-platform',
      'bootstrap-old',
      'platform',
    ]);
  });
});

describe('tenantctl changed (CLI)', () => {
  test('GIVEN one tenant changed in a committed branch THEN human output lists it and --output json gives the CI shape', async () => {
    const repo = repoWithProject({ subdir: 'platform-config', tenants: [TENANTS[0], { ...TENANTS[1], status: 'removed' }] });
    const base = git(repo.top, 'rev-parse', 'HEAD').trim();
    const update = await cli(['tenant', 'update', 'alpha', '--set', 'quota.memory=64Gi', '--no-synth', '--quiet', '--dir', repo.dir]);
    expect(update.status).toBe(0);
    repo.remove('tenants/beta.json');

    const human = await cli(['changed', '--base', 'main'], { cwd: repo.dir });
    expect(human.stderr).toBe('');
    expect(human.status).toBe(0);
    expect(human.stdout).toBe('tenant-alpha  modified\ntenant-beta   removed\n');

    const json = await cli(['changed', '--base', 'main', '--output', 'json', '--dir', repo.dir], { cwd: os.tmpdir() });
    expect(json.status).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      base: 'main',
      baseCommit: base,
      toolChange: null,
      stacks: [
        { name: 'tenant-alpha', kind: 'tenant', change: 'modified', account: 'platform', workspace: null, reason: null },
        { name: 'tenant-beta', kind: 'tenant', change: 'removed', account: 'platform', workspace: null, reason: null },
      ],
      names: ['tenant-alpha', 'tenant-beta'],
      groups: { workspaces: [], bootstrap: [], platform: [], cluster: [], tenants: ['tenant-alpha'] },
      removed: ['tenant-beta'],
      releases: [],
    });
  });

  test('GIVEN no change THEN stdout is empty, stderr says so and the exit code is 0', async () => {
    const repo = repoWithProject({ tenants: [] });
    const res = await cli(['changed', '--base', 'main', '--dir', repo.dir]);
    expect(res).toEqual({ status: 0, stdout: '', stderr: 'no stack changed since main\n' });
  });

  test('GIVEN a bad ref, a missing --base or a bad --output THEN a clear error and exit 1 or 2', async () => {
    const repo = repoWithProject({ tenants: [] });
    const bad = await cli(['changed', '--base', 'nope', '--dir', repo.dir]);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain(`error: --base nope is not a commit in the repository at ${repo.top}`);
    expect(bad.stderr).toContain('fetch-depth: 0');

    const missing = await cli(['changed', '--dir', repo.dir]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("required option '-b, --base <ref>' not specified");

    const format = await cli(['changed', '--base', 'main', '--output', 'yaml', '--dir', repo.dir]);
    expect(format.status).toBe(2);
    expect(format.stderr).toContain('--output yaml is not supported');
  });
});
