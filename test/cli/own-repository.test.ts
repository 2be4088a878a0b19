import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { repoRoot, scratchDirs, snapshotTree } from './helpers';
import { terraformStub } from './terraform-stub';

/**
 * README "Using tenantctl for your platform", step by step, as a new user runs it: tenantctl
 * packed with `npm pack`, installed from the tarball into a new git repository, then every
 * command the README lists, through the project's own bin. A `terraform` stub on PATH fails and
 * records calls, so nothing may need or run a terraform binary. Installs use the npm cache when
 * it has the packages and the registry otherwise; nothing is skipped when something is missing.
 * The tarball is packed from the dist/ that `npm test` compiled just before, as every suite that
 * runs the binary uses it (the README's `npm ci` compiles it the same way), so `npm pack` skips
 * its own `prepare` instead of compiling it a second time.
 */
const STEP_TIMEOUT_MS = 5 * 60_000;
const SUITE_TIMEOUT_MS = 15 * 60_000;
const NPM_INSTALL_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund'];
const GIT_IDENTITY = ['-c', 'user.name=tenantctl test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false'];
const own = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
const TARBALL = `tenantctl-${own.version}.tgz`;

interface Step {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

describe("GIVEN tenantctl packed with npm pack WHEN a platform team follows the README's own-repository path", () => {
  const scratch = scratchDirs('tenantctl-own-repo-');
  const root = scratch();
  const repo = path.join(root, 'my-platform');
  const reference = path.join(root, 'reference');
  const stub = terraformStub(root);
  // The variables `npm test` sets for its own scripts would steer the user's npm; a user has none.
  const env = {
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'INIT_CWD')),
    PATH: stub.path,
    CI: 'true',
    CHECKPOINT_DISABLE: '1',
    npm_config_update_notifier: 'false',
  };
  const steps = new Map<string, Step>();
  /** Calls the stub saw before `npx cdktf synth` (cdktf-cli itself probes terraform's version, and copes without it). */
  let tenantctlTerraformCalls: string[] = [];
  let packed: { filename: string; files: { path: string }[] };

  /** Runs the steps in order; after a failure the rest are recorded as not run. */
  const run = (name: string, command: string, args: string[], cwd = repo): void => {
    if ([...steps.values()].some((s) => s.status !== 0)) {
      steps.set(name, { status: null, stdout: '', stderr: 'not run: an earlier step failed' });
      return;
    }
    const res = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: STEP_TIMEOUT_MS, input: '' });
    steps.set(name, { status: res.status, stdout: res.stdout ?? '', stderr: `${res.stderr ?? ''}${res.error ? String(res.error) : ''}` });
  };
  const step = (name: string): Step => steps.get(name)!;

  beforeAll(() => {
    run('npm pack', 'npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', root], repoRoot);
    if (step('npm pack').status === 0) packed = JSON.parse(step('npm pack').stdout)[0];
    fs.mkdirSync(path.join(repo, 'vendor'), { recursive: true });
    run('git init', 'git', ['init', '-q', '-b', 'main']);
    if (step('git init').status === 0) fs.copyFileSync(path.join(root, TARBALL), path.join(repo, 'vendor', TARBALL));
    run('install tenantctl', 'npm', ['install', '--save-dev', `./vendor/${TARBALL}`, ...NPM_INSTALL_FLAGS]);
    run('init platform', 'npx', ['tenantctl', 'init', 'platform', '--yes', '--account-id', '111122223333', '--tfc-organization', 'acme-corp']);
    run('npm install', 'npm', ['install', ...NPM_INSTALL_FLAGS]);
    run('git add', 'git', ['add', '-A']);
    run('git commit', 'git', [...GIT_IDENTITY, 'commit', '-q', '-m', 'tenantctl platform']);
    run('tenant add', 'npx', ['tenantctl', 'tenant', 'add', 'acme', '--tier', 'enterprise', '--display-name', 'Acme Corp']);
    run('validate', 'npx', ['tenantctl', 'validate']);
    run('changed', 'npx', ['tenantctl', 'changed', '--base', 'HEAD']);
    run('ci init github', 'npx', ['tenantctl', 'ci', 'init', 'github']);
    // The form the generated workflow uses.
    run('workflow synth', 'npm', ['exec', '--no', '--', 'tenantctl', 'synth', '--quiet', '--outdir', reference]);
    tenantctlTerraformCalls = stub.calls();
    run('cdktf synth', 'npx', ['cdktf', 'synth']);
  }, SUITE_TIMEOUT_MS);

  test.each([
    'npm pack',
    'git init',
    'install tenantctl',
    'init platform',
    'npm install',
    'git add',
    'git commit',
    'tenant add',
    'validate',
    'changed',
    'ci init github',
    'workflow synth',
    'cdktf synth',
  ])('THEN %s succeeds', (name) => {
    const { status, stderr } = step(name);
    expect({ name, status, stderr: status === 0 ? '' : stderr }).toEqual({ name, status: 0, stderr: '' });
  });

  test('THEN the tarball holds the compiled CLI and its templates, and no sources or tests', () => {
    const files = packed.files.map((f) => f.path);
    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'LICENSE',
        'dist/bin/tenantctl.js',
        'dist/src/synth/synth-worker.js',
        'dist/stacks/platform-stack.js',
        'templates/ci/github-workflow.yml',
        'templates/sql/platform.sql',
      ]),
    );
    expect(files.filter((f) => !/^(dist\/(bin|src|stacks)\/.*\.js|templates\/.+|package\.json|README\.md|LICENSE)$/.test(f))).toEqual([]);
  });

  test('THEN init platform pins cdktf-cli beside the tarball the user installed, and says to run npm install', () => {
    expect(JSON.parse(fs.readFileSync(path.join(repo, 'package.json'), 'utf8')).devDependencies).toEqual({
      'cdktf-cli': own.devDependencies['cdktf-cli'],
      tenantctl: `file:vendor/${TARBALL}`,
    });
    expect(step('init platform').stdout).toContain(
      `updated ${path.join(repo, 'package.json')}: devDependencies cdktf-cli ${own.devDependencies['cdktf-cli']}\n`,
    );
    expect(step('init platform').stdout).toContain('next: npm install (installs them and writes package-lock.json; commit both files)\n');
    const lock = JSON.parse(fs.readFileSync(path.join(repo, 'package-lock.json'), 'utf8'));
    expect(lock.packages['node_modules/cdktf-cli'].version).toBe(own.devDependencies['cdktf-cli']);
    expect(lock.packages['node_modules/tenantctl'].version).toBe(own.version);
  });

  test('THEN the commit holds the configuration, package files and the tarball, and no node_modules or output', () => {
    const res = spawnSync('git', ['ls-files'], { cwd: repo, encoding: 'utf8' });
    expect(res.stdout.split('\n').filter(Boolean).sort()).toEqual([
      '.gitignore',
      'cdktf.json',
      'package-lock.json',
      'package.json',
      'platform.json',
      `vendor/${TARBALL}`,
    ]);
  });

  test('THEN validate passes and changed names the stacks the new tenant touches', () => {
    expect(step('validate').stdout).toMatch(/^passed: 5 stacks checked against \d+ rules: 0 errors/m);
    expect(
      step('changed')
        .stdout.split('\n')
        .filter(Boolean)
        .map((l) => l.split(/\s+/)),
    ).toEqual([
      ['workspaces', 'modified'],
      ['bootstrap-platform', 'modified'],
      ['tenant-acme', 'added'],
    ]);
  });

  test('THEN the workflow is written at the repository root and runs the project tenantctl', () => {
    const workflow = fs.readFileSync(path.join(repo, '.github/workflows/tenantctl.yml'), 'utf8');
    expect(workflow).toContain('npm exec --no -- tenantctl validate');
    expect(fs.existsSync(path.join(repo, '.github/workflows/tenantctl-apply.yml'))).toBe(true);
  });

  test('THEN npx cdktf synth writes every stack byte for byte as tenantctl synth does', () => {
    const viaCdktf = snapshotTree(path.join(repo, 'cdktf.out/stacks'));
    expect([...new Set(Object.keys(viaCdktf).map((f) => f.split(path.sep)[0]))].sort()).toEqual([
      'bootstrap-platform',
      'cluster',
      'platform',
      'tenant-acme',
      'workspaces',
    ]);
    expect(viaCdktf).toEqual(snapshotTree(path.join(reference, 'stacks')));
  });

  test('THEN no tenantctl command ran terraform, and cdktf-cli only probed its version', () => {
    expect(tenantctlTerraformCalls).toEqual([]);
    expect(stub.calls().filter((c) => !/^terraform (version -json|-v)$/.test(c))).toEqual([]);
  });
});
