import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { TenantctlError, UsageError } from '../model/errors';
import { writeTextAtomic } from '../project/files';
import type { PlatformSpec } from '../model/platform-schema';
import { loadPlatform } from '../project/project';
import { PLATFORM_FILE } from '../model/project';
import { renderTemplate } from '../templates/render';

/** Where GitHub reads the workflow, relative to the repository root. */
export const GITHUB_WORKFLOW_FILE = '.github/workflows/tenantctl.yml';
export const GITHUB_WORKFLOW_TEMPLATE = 'ci/github-workflow.yml';
/** The reusable workflow the apply jobs of the workflow call (`uses: ./.github/workflows/tenantctl-apply.yml`). */
export const GITHUB_APPLY_WORKFLOW_FILE = '.github/workflows/tenantctl-apply.yml';
export const GITHUB_APPLY_WORKFLOW_TEMPLATE = 'ci/github-apply-workflow.yml';
/**
 * The actions the workflows use, each pinned to the commit of a release tag: a tag can be moved
 * to other code, a commit cannot. The tag is written beside the commit, as a comment.
 */
export const GITHUB_ACTIONS = {
  checkout: { uses: 'actions/checkout', commit: '11d5960a326750d5838078e36cf38b85af677262', tag: 'v4.4.0' },
  setupNode: { uses: 'actions/setup-node', commit: '49933ea5288caeca8642d1e84afbd3f7d6820020', tag: 'v4.4.0' },
  uploadArtifact: { uses: 'actions/upload-artifact', commit: 'ea165f8d65b6e75b540449e92b4886f43607fa02', tag: 'v4.6.2' },
  downloadArtifact: { uses: 'actions/download-artifact', commit: 'd3f86a106a0bac45b974a628896c90dbdf5c8093', tag: 'v4.3.0' },
  githubScript: { uses: 'actions/github-script', commit: 'f28e40c7f34bde8b3046d885e986cb6290c5673b', tag: 'v7.1.0' },
  /** hashicorp/tfc-workflows-github: one repository, an action per directory under actions/. */
  tfcWorkflows: { uses: 'hashicorp/tfc-workflows-github/actions', commit: '8e08d1ba957673f5fbf971a22b3219639dc45661', tag: 'v1.3.2' },
} as const;

/**
 * How the workflows run tenantctl: the project's own copy, installed by `npm ci` from its
 * package-lock.json. `--no` makes a missing install an error instead of a download (and run) of
 * whatever package of that name the registry holds.
 */
export const WORKFLOW_TENANTCTL = 'npm exec --no -- tenantctl';

/** `<action>@<commit>` as a step's `uses` reads once YAML drops the tag comment. */
export const actionRef = (action: (typeof GITHUB_ACTIONS)[keyof typeof GITHUB_ACTIONS], path = '') => `${action.uses}${path}@${action.commit}`;
const pinned = (action: (typeof GITHUB_ACTIONS)[keyof typeof GITHUB_ACTIONS]) => `${action.commit} # ${action.tag}`;

/** The pinned actions as template values (`uses: actions/checkout@{{checkout_ref}}`). */
const ACTION_VALUES: Record<string, string> = {
  checkout_ref: pinned(GITHUB_ACTIONS.checkout),
  setup_node_ref: pinned(GITHUB_ACTIONS.setupNode),
  upload_artifact_ref: pinned(GITHUB_ACTIONS.uploadArtifact),
  download_artifact_ref: pinned(GITHUB_ACTIONS.downloadArtifact),
  github_script_ref: pinned(GITHUB_ACTIONS.githubScript),
  tfc_workflows_ref: pinned(GITHUB_ACTIONS.tfcWorkflows),
};

/** The template values the apply workflow uses; the branch and the parallelism are the calling workflow's. */
const APPLY_WORKFLOW_VALUES = [
  'project_dir',
  'tenantctl',
  'node_version',
  'tfc_organization',
  'tfc_hostname',
  'checkout_ref',
  'setup_node_ref',
  'tfc_workflows_ref',
] as const;

export interface GithubWorkflowOptions {
  /** The tenantctl project (holds platform.json). */
  readonly dir: string;
  /** The main branch: pull requests to it are planned, pushes to it applied. @default main */
  readonly branch?: string;
  /** Node.js version of the jobs. @default 20 */
  readonly nodeVersion?: string;
  /** Terraform Cloud runs at a time in the plan, bootstrap and tenant jobs. @default 4 */
  readonly maxParallel?: number;
  /** Overwrite existing workflow files. @default false */
  readonly force?: boolean;
}

export interface GithubWorkflowResult {
  /** Absolute path of the written workflow. */
  readonly file: string;
  /** Absolute paths of every written file: the reusable apply workflow, then the workflow. */
  readonly files: readonly string[];
  /** The git repository root, or the project directory outside a repository. */
  readonly root: string;
  readonly inGitRepo: boolean;
  /** The project directory relative to `root` (`.` when they are the same). */
  readonly projectPath: string;
  /** An existing workflow file was replaced (--force). */
  readonly replaced: boolean;
  readonly values: Record<string, string>;
}

export const GITHUB_WORKFLOW_DEFAULTS = { branch: 'main', nodeVersion: '20', maxParallel: 4 } as const;

/** A GitHub Actions matrix holds at most 256 jobs. */
const MATRIX_LIMIT = 256;

/**
 * Writes `.github/workflows/tenantctl.yml` and the reusable workflow its apply jobs call,
 * `.github/workflows/tenantctl-apply.yml`, at the root of the git repository that holds the
 * project (or in the project directory outside a repository). Nothing is written when a value is
 * invalid, when Terraform Cloud is not configured, or when either file exists and `force` is not
 * set.
 */
export function writeGithubWorkflow(options: GithubWorkflowOptions): GithubWorkflowResult {
  const resolved = path.resolve(options.dir);
  const platform = loadPlatform(resolved);
  const dir = fs.realpathSync(resolved);
  const { root, inGitRepo } = repositoryRoot(dir);
  const projectPath = projectPathIn(root, dir);
  const values = workflowValues(platform, { ...options, projectPath });
  const applyValues = Object.fromEntries(APPLY_WORKFLOW_VALUES.map((name) => [name, values[name]]));
  // The called workflow first: the workflow refers to it.
  const outputs = [
    { file: path.join(root, GITHUB_APPLY_WORKFLOW_FILE), text: renderTemplate(GITHUB_APPLY_WORKFLOW_TEMPLATE, applyValues) },
    { file: path.join(root, GITHUB_WORKFLOW_FILE), text: renderTemplate(GITHUB_WORKFLOW_TEMPLATE, values) },
  ];

  const existing = outputs.filter((o) => fs.existsSync(o.file)).map((o) => o.file);
  if (existing.length && !options.force) {
    throw new TenantctlError(
      `${existing.join(' and ')} already ${existing.length > 1 ? 'exist' : 'exists'}`,
      `Pass --force to replace ${outputs.map((o) => path.basename(o.file)).join(' and ')} (changes made to them by hand are lost), or edit them yourself; nothing was written.`,
    );
  }
  for (const output of outputs) writeTextAtomic(output.file, output.text);
  return { file: outputs[1].file, files: outputs.map((o) => o.file), root, inGitRepo, projectPath, replaced: existing.length > 0, values };
}

/**
 * The template's values, checked: each one lands verbatim in YAML, in shell scripts or in
 * GitHub expressions, so only plain names and paths are accepted.
 */
export function workflowValues(
  platform: PlatformSpec,
  options: Omit<GithubWorkflowOptions, 'dir' | 'force'> & { readonly projectPath: string },
): Record<string, string> {
  const tfc = platform.terraformCloud;
  if (!tfc) {
    throw new TenantctlError(
      `${PLATFORM_FILE} has no "terraformCloud": the workflow plans and applies in Terraform Cloud`,
      'Add "terraformCloud": { "organization": "<your organization>" } to platform.json (see README "Connecting Terraform Cloud"), run ' +
        '`tenantctl synth`, then this command again.',
    );
  }
  const branch = options.branch ?? GITHUB_WORKFLOW_DEFAULTS.branch;
  const branchProblem = checkBranch(branch);
  if (branchProblem)
    throw new UsageError(
      `--branch ${JSON.stringify(branch)} ${branchProblem}`,
      'Pass the name of the branch pull requests merge into, e.g. --branch main.',
    );

  const nodeVersion = options.nodeVersion ?? GITHUB_WORKFLOW_DEFAULTS.nodeVersion;
  if (!/^\d+(\.\d+){0,2}$/.test(nodeVersion) || Number(nodeVersion.split('.')[0]) < 20) {
    throw new UsageError(
      `--node-version ${JSON.stringify(nodeVersion)} is not a Node.js version tenantctl runs on`,
      'Pass a major (or exact) version of 20 or newer, e.g. --node-version 22.',
    );
  }

  const maxParallel = options.maxParallel ?? GITHUB_WORKFLOW_DEFAULTS.maxParallel;
  if (!Number.isInteger(maxParallel) || maxParallel < 1 || maxParallel > MATRIX_LIMIT) {
    throw new UsageError(`--max-parallel ${maxParallel} must be a whole number from 1 to ${MATRIX_LIMIT}`);
  }

  if (!/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:\d{1,5})?$/.test(tfc.hostname)) {
    throw new TenantctlError(
      `${PLATFORM_FILE} terraformCloud.hostname ${JSON.stringify(tfc.hostname)} is not a host name`,
      'Use a host name without scheme or path, e.g. app.terraform.io.',
    );
  }

  if (!/^[A-Za-z0-9._/-]+$/.test(options.projectPath) || options.projectPath.split('/').some((part) => part === '..' || part === '')) {
    throw new TenantctlError(
      `the project directory ${JSON.stringify(options.projectPath)} (relative to the repository root) has characters the workflow cannot ` +
        `quote safely`,
      'Use letters, digits, ".", "_", "-" and "/" in the path from the repository root to the project.',
    );
  }

  return {
    project_dir: options.projectPath,
    tenantctl: WORKFLOW_TENANTCTL,
    branch,
    node_version: nodeVersion,
    max_parallel: String(maxParallel),
    tfc_organization: tfc.organization,
    tfc_hostname: tfc.hostname,
    ...ACTION_VALUES,
  };
}

/** Why a branch name cannot be used (git's ref rules, and no glob or quote characters), or undefined. */
export function checkBranch(branch: string): string | undefined {
  if (!/^[A-Za-z0-9._/-]+$/.test(branch)) return 'may only hold letters, digits, ".", "_", "-" and "/"';
  if (branch.startsWith('-') || branch.startsWith('/') || branch.endsWith('/') || branch.endsWith('.') || branch.endsWith('.lock'))
    return 'is not a valid branch name';
  if (branch.includes('..') || branch.includes('//') || branch.split('/').some((part) => part.startsWith('.'))) return 'is not a valid branch name';
  return undefined;
}

/** The git work tree holding `dir`, or `dir` itself when it is in none (or git is not installed). */
export function repositoryRoot(dir: string): { root: string; inGitRepo: boolean } {
  try {
    const top = execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (top) return { root: fs.realpathSync(top), inGitRepo: true };
  } catch {
    // not a repository, or no git: the project directory stands in for the repository root
  }
  return { root: dir, inGitRepo: false };
}

/** `dir` relative to `root` with forward slashes; `.` when they are the same. */
export function projectPathIn(root: string, dir: string): string {
  const relative = path.relative(root, dir);
  return relative === '' ? '.' : relative.split(path.sep).join('/');
}

/**
 * Problems that do not stop the workflow from being written but would make its jobs fail: the
 * jobs run `npm ci` and the project's own tenantctl in the project directory.
 */
export function projectWarnings(dir: string): string[] {
  const file = path.join(dir, 'package.json');
  const install =
    'install it with `npm install --save-dev <tenantctl git URL at a tag, or tarball>` (README "Using tenantctl for your platform") and ' +
    'commit package.json and package-lock.json';
  if (!fs.existsSync(file)) {
    return [`${file} does not exist: the workflow runs \`npm ci\` and \`${WORKFLOW_TENANTCTL}\` there; ${install}`];
  }
  const warnings: string[] = [];
  try {
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, Record<string, string> | undefined>;
    if (!pkg.dependencies?.tenantctl && !pkg.devDependencies?.tenantctl)
      warnings.push(`${file} does not list tenantctl as a dependency: the workflow runs \`${WORKFLOW_TENANTCTL}\`; ${install}`);
  } catch {
    warnings.push(`${file} is not valid JSON: the workflow runs \`npm ci\` there`);
  }
  if (!fs.existsSync(path.join(dir, 'package-lock.json')))
    warnings.push(`${path.join(dir, 'package-lock.json')} does not exist: \`npm ci\` needs it (run npm install and commit it)`);
  return warnings;
}
