import * as fs from 'fs';
import * as path from 'path';
import { tierCatalog } from '../../src/model/tiers';
import type { TerraformJson } from './aws-only';
import { run } from './tools';

/** The compiled CLI, run as a user runs it. */
const CLI = path.resolve(__dirname, '../../bin/tenantctl.js');
const PLATFORM_ACCOUNT = '111122223333';

/** A synthesized stack of a fixture project. */
export interface Stack {
  /** `<fixture>/<stack>`, how the engines name it. */
  readonly id: string;
  readonly name: string;
  /** The stack's directory in cdktf.out (holds cdk.tf.json and its assets). */
  readonly dir: string;
  readonly json: TerraformJson;
}

export interface Fixture {
  readonly name: string;
  readonly dir: string;
  readonly stacks: readonly Stack[];
}

/** A project whose workflows `tenantctl ci init github` wrote. */
export interface WorkflowFixture {
  readonly name: string;
  /** The git repository root (holds .github/workflows). */
  readonly root: string;
  readonly files: readonly string[];
}

interface TenantStep {
  readonly id: string;
  readonly args: readonly string[];
  /** Removed after it was added: `kept` keeps its data, `purged` passes --purge-data. */
  readonly removed?: 'kept' | 'purged';
}

interface FixtureSpec {
  readonly name: string;
  readonly init: readonly string[];
  /** Settings merged into platform.json after init, as a team edits it (JSON files of test/fixtures, in order). */
  readonly platformEdits?: readonly string[];
  readonly tenants: readonly TenantStep[];
}

/** The README's example service catalog (project, task and user services) with its GitOps repository. */
const SERVICE_CATALOG = path.resolve(__dirname, '../../../test/fixtures/service-catalog.json');
/** Spot tenants nodes, their night and weekend scale-down and a cost block, as `tenantctl cost` suggests them. */
const COST_OPTIMISED = path.resolve(__dirname, '../../../test/fixtures/cost-optimised-platform.json');

/** A stock tier whose services authenticate on their own: identity turned off for the starter tier. */
const STARTER_WITHOUT_IDENTITY = path.resolve(__dirname, '../../../test/fixtures/identity-starter-none.json');
/** Two rollout waves: starter tenants first, then the rest (wave gates after the first). */
const ROLLOUT_WAVES = path.resolve(__dirname, '../../../test/fixtures/rollout-waves.json');

const TERRAFORM_CLOUD = [
  '--tfc-organization',
  'example-org',
  '--service-account',
  'payments=222233334444:Payment services',
  '--service-account',
  'analytics=333344445555:Analytics',
];

/**
 * Every stack kind and option: the default platform with a tenant of every tier of the catalog
 * (end users signing in to the pooled user pool and to an enterprise tenant's own) and a removed
 * tenant with and without purge; a platform with a domain (HTTPS, certificate, DNS) in a region
 * opened after August 2022 (ALB log delivery by service principal, not by a regional ELB account),
 * as staging with its own name and VPC range, Spot tenants nodes and their scheduled night
 * scale-down, and a tenant that turns identity off for itself; Terraform Cloud with two service
 * accounts (workspaces and bootstrap stacks, tenants in each account, a removed one), the example
 * service catalog deployed through Argo CD, its canaries in two rollout waves, and a tier without
 * identity.
 */
const FIXTURES: readonly FixtureSpec[] = [
  {
    name: 'default',
    init: [],
    tenants: [
      ...Object.keys(tierCatalog).map((tier) => ({ id: tier, args: ['--tier', tier] })),
      { id: 'kept', args: ['--tier', 'starter'], removed: 'kept' as const },
      { id: 'purged', args: ['--tier', 'starter'], removed: 'purged' as const },
    ],
  },
  {
    name: 'domain',
    init: ['--domain', 'saas.example.com', '--name', 'acme', '--environment', 'staging', '--region', 'eu-south-2', '--vpc-cidr', '10.20.0.0/16'],
    platformEdits: [COST_OPTIMISED],
    tenants: [
      {
        id: 'acme',
        args: ['--tier', 'standard', '--admin-principal-arn', `arn:aws:iam::${PLATFORM_ACCOUNT}:role/acme-admins`, '--set', 'identity=none'],
      },
      { id: 'initech', args: ['--tier', 'enterprise'] },
    ],
  },
  {
    name: 'terraform-cloud',
    init: TERRAFORM_CLOUD,
    platformEdits: [SERVICE_CATALOG, ROLLOUT_WAVES, STARTER_WITHOUT_IDENTITY],
    tenants: [
      {
        id: 'acme',
        args: ['--tier', 'enterprise', '--service-account', 'payments', '--admin-principal-arn', 'arn:aws:iam::222233334444:role/acme-admins'],
      },
      { id: 'beta', args: ['--tier', 'starter', '--service-account', 'analytics'] },
      { id: 'gamma', args: ['--tier', 'standard'] },
      { id: 'retired', args: ['--tier', 'starter', '--service-account', 'analytics'], removed: 'purged' },
    ],
  },
];

/** Runs the CLI non-interactively (CI=true, no stdin), failing with its output. */
export async function tenantctl(args: readonly string[], cwd: string): Promise<void> {
  const res = await run(process.execPath, [CLI, ...args], { cwd, env: { CI: 'true', CHECKPOINT_DISABLE: '1' } });
  if (res.code !== 0) throw new Error(`tenantctl ${args.join(' ')} exited ${res.code}:\n${res.output}`);
}

/** Builds and synthesizes the fixture projects under `root`. */
export async function buildFixtures(root: string): Promise<Fixture[]> {
  return Promise.all(
    FIXTURES.map(async (spec) => {
      const dir = path.join(root, spec.name);
      fs.mkdirSync(dir, { recursive: true });
      await tenantctl(['init', 'platform', '--yes', '--account-id', PLATFORM_ACCOUNT, ...spec.init, '--no-synth', '--quiet'], dir);
      for (const edit of spec.platformEdits ?? []) {
        const file = path.join(dir, 'platform.json');
        const settings = JSON.parse(fs.readFileSync(edit, 'utf8')) as Record<string, unknown>;
        fs.writeFileSync(file, `${JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), ...settings }, null, 2)}\n`);
      }
      for (const tenant of spec.tenants) {
        await tenantctl(['tenant', 'add', tenant.id, ...tenant.args, '--no-synth', '--quiet'], dir);
        if (tenant.removed) {
          await tenantctl(
            ['tenant', 'remove', tenant.id, ...(tenant.removed === 'purged' ? ['--purge-data', '--yes'] : []), '--no-synth', '--quiet'],
            dir,
          );
        }
      }
      await tenantctl(['synth', '--quiet'], dir);
      return { name: spec.name, dir, stacks: readStacks(spec.name, dir) };
    }),
  );
}

function readStacks(fixture: string, dir: string): Stack[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'cdktf.out/manifest.json'), 'utf8')) as {
    stacks: Record<string, { synthesizedStackPath: string }>;
  };
  return Object.entries(manifest.stacks).map(([name, entry]) => {
    const file = path.join(dir, 'cdktf.out', entry.synthesizedStackPath);
    return { id: `${fixture}/${name}`, name, dir: path.dirname(file), json: JSON.parse(fs.readFileSync(file, 'utf8')) };
  });
}

/**
 * The workflows `tenantctl ci init github` writes for a Terraform Cloud project, with the project
 * at the root of its git repository and in a subdirectory (`--dir infra/platform`).
 */
export async function buildWorkflowFixtures(root: string): Promise<WorkflowFixture[]> {
  const layouts = [
    { name: 'repository-root', project: '.' },
    { name: 'subdirectory', project: 'infra/platform' },
  ];
  return Promise.all(
    layouts.map(async (layout) => {
      const repo = path.join(root, `workflows-${layout.name}`);
      const project = path.join(repo, layout.project);
      fs.mkdirSync(project, { recursive: true });
      const git = await run('git', ['init', '--quiet'], { cwd: repo });
      if (git.code !== 0) throw new Error(`git init failed: ${git.output}`);
      await tenantctl(['init', 'platform', '--yes', '--account-id', PLATFORM_ACCOUNT, ...TERRAFORM_CLOUD, '--no-synth', '--quiet'], project);
      await tenantctl(['ci', 'init', 'github', '--dir', layout.project, '--quiet'], repo);
      const workflows = path.join(repo, '.github/workflows');
      return {
        name: layout.name,
        root: repo,
        files: fs
          .readdirSync(workflows)
          .sort()
          .map((f) => path.join(workflows, f)),
      };
    }),
  );
}
