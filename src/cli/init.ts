import * as fs from 'fs';
import * as path from 'path';
import type { Command } from 'commander';
import { addDirOption, list, projectDir } from './common';
import { ask } from './interactive';
import { info } from './output';

interface InitPlatformOptions {
  dir: string;
  name?: string;
  environment?: string;
  region?: string;
  accountId?: string;
  vpcCidr?: string;
  azs?: string;
  eksVersion?: string;
  domain?: string;
  dbInstanceClass?: string;
  systemNodes?: string;
  tenantNodes?: string;
  plannedTenants?: string;
  tfcOrganization?: string;
  adminPrincipalArns?: string;
  serviceAccount?: string[];
  yes: boolean;
  force: boolean;
  replacePlatform?: boolean;
  synth: boolean;
  quiet?: boolean;
}

export function register(program: Command): void {
  const init = program.command('init').description('create a tenantctl project');
  addDirOption(
    init
      .command('platform')
      .description('write platform.json for the shared platform (VPC, EKS, Istio, RDS + Proxy, ALB + WAF) and synthesize it')
      .option('--name <name>', 'platform name, part of every resource name (default: saas)')
      .option('--environment <env>', 'environment, e.g. prod, staging (default: prod)')
      .option('--region <region>', 'AWS region (default: us-east-1)')
      .option('--account-id <id>', 'AWS account id of the platform (12 digits; required)')
      .option('--vpc-cidr <cidr>', 'VPC CIDR (default: 10.0.0.0/16; subnets are planned from it)')
      .option('--azs <list>', 'availability zones, comma-separated (default: <region>a,b,c)')
      .option('--eks-version <version>', 'Kubernetes version of the EKS cluster')
      .option('--admin-principal-arns <list>', 'IAM role or user ARNs given cluster admin, comma-separated (default: none besides whoever applies the platform)')
      .option('--domain <domain>', 'public DNS zone for tenant hosts, enables HTTPS (default: none)')
      .option('--db-instance-class <class>', 'RDS instance class (default: db.r6g.large)')
      .option('--system-nodes <min:desired:max>', 'size of the system node group (default: 2:3:4)')
      .option('--tenant-nodes <min:desired:max>', 'size of the shared tenants node group (default: 3:3:12)')
      .option('--planned-tenants <n>', 'tenant capacity the database pool is sized for (default: 500)')
      .option('--tfc-organization <org>', 'Terraform Cloud organization: each stack gets its own workspace (default: none, local state files)')
      .option('--service-account <name=id:purpose...>', 'a further AWS account tenants may live in, e.g. payments=222233334444:"Payment services" (repeatable)')
      .option('-y, --yes', 'take the defaults for every value not given as a flag', false)
      .option('--force', 'overwrite an existing platform.json', false)
      .option('--replace-platform', 'with --force and tenants present: confirm a change that replaces the cluster, VPC or database (account, region, name, environment, network)')
      .option('--no-synth', 'write platform.json only')
      .option('-q, --quiet', 'print nothing on success'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ tenantctl init platform                                  # answer the prompts
  $ tenantctl init platform --yes --account-id 111122223333  # defaults for everything else
  $ tenantctl init platform --name acme --environment staging --region eu-west-1 \\
      --account-id 111122223333 --domain saas.example.com --vpc-cidr 10.20.0.0/16`,
    )
    .action(async (opts: InitPlatformOptions) => {
      await initPlatform(opts);
    });
}

async function initPlatform(opts: InitPlatformOptions): Promise<void> {
  const dir = projectDir(opts);
  const { withProjectLock } = await import('../project/files');
  const { TenantctlError } = await import('../model/errors');
  const { platformFile } = await import('../project/project');
  const file = platformFile(dir);
  if (fs.existsSync(file) && !opts.force) {
    throw new TenantctlError(`${path.relative(process.cwd(), file) || file} already exists`, 'Change settings with `tenantctl platform set <path> <value>`, or pass --force to overwrite it.');
  }
  const config = await answers(opts);
  const { loadProject } = await import('../project/project');
  const { parseWith, PLATFORM_FILE, TENANTS_DIR } = await import('../model/project');
  const { platformSchema } = await import('../model/platform-schema');
  // Validate before writing anything, the project directory included: a bad flag leaves the
  // file system as it was.
  parseWith(platformSchema, config, `${PLATFORM_FILE} (from the given values)`);
  const { planProjectPackage } = await import('../project/project-package');
  const packagePlan = planProjectPackage(dir);
  fs.mkdirSync(dir, { recursive: true });
  await withProjectLock(dir, async () => {
    const { writeJsonAtomic, writeTextAtomic } = await import('../project/files');
    if (fs.existsSync(file) && !opts.force) throw new TenantctlError(`${file} already exists`, 'Pass --force to overwrite it.');
    if (fs.existsSync(file) && !opts.replacePlatform) await refuseReplacing(dir, config);
    writeJsonAtomic(file, config);
    fs.mkdirSync(path.join(dir, TENANTS_DIR), { recursive: true });
    writeScaffolding(dir, writeTextAtomic);
    if (packagePlan.text) writeTextAtomic(packagePlan.file, packagePlan.text);
    info(opts.quiet, `wrote ${path.join(dir, PLATFORM_FILE)}`);
    const added = Object.entries(packagePlan.added).map(([name, spec]) => `${name} ${spec}`);
    if (added.length) info(opts.quiet, `${packagePlan.created ? 'wrote' : 'updated'} ${packagePlan.file}: devDependencies ${added.join(', ')}`);
    for (const note of packagePlan.notes) process.stderr.write(`note: ${note}\n`);
    if (opts.synth) {
      const { synthesizeForCli, synthSummary } = await import('./run-synth');
      const started = Date.now();
      const result = await synthesizeForCli(loadProject(dir), {});
      info(opts.quiet, synthSummary(result, (Date.now() - started) / 1000));
    }
    for (const step of packagePlan.next) info(opts.quiet, `next: ${step}`);
    if (opts.synth) info(opts.quiet, `next: tenantctl tenant add <id> --tier starter|standard|enterprise`);
  });
}

/**
 * `--force` over a platform with tenants: refused when the new values replace the cluster, VPC or
 * database (values left out fall back to defaults, which is how an account or a CIDR used to
 * be lost), unless --replace-platform.
 */
async function refuseReplacing(dir: string, config: Record<string, unknown>): Promise<void> {
  const { TenantctlError } = await import('../model/errors');
  const { listTenantIds, loadPlatform } = await import('../project/project');
  const { platformSchema, resolvePlatform } = await import('../model/platform-schema');
  const { describeReplacing, replacingChanges, REPLACE_PLATFORM_FLAG } = await import('../model/platform-changes');
  const tenants = listTenantIds(dir).length;
  if (!tenants) return;
  const changes = describeReplacing(replacingChanges(loadPlatform(dir), resolvePlatform(platformSchema.parse(config))));
  if (!changes.length) return;
  throw new TenantctlError(
    `platform.json was not overwritten: the new values cannot be applied in place while ${tenants} tenant(s) exist:\n` + changes.map((c) => `  - ${c}`).join('\n'),
    `Pass the current values as flags (see \`tenantctl platform show\`), change single settings with \`tenantctl platform set\`, or pass ${REPLACE_PLATFORM_FLAG} to accept that.`,
  );
}

/** Files a new project needs beside platform.json; existing ones are left alone. */
function writeScaffolding(dir: string, write: (file: string, text: string) => void): void {
  const cdktfJson = path.join(dir, 'cdktf.json');
  if (!fs.existsSync(cdktfJson)) {
    const cdktf = { language: 'typescript', app: 'npx --no-install tenantctl synth --quiet', output: 'cdktf.out', projectId: 'tenantctl', sendCrashReports: 'false', terraformProviders: [], terraformModules: [], context: {} };
    write(cdktfJson, JSON.stringify(cdktf, null, 2) + '\n');
  }
  const gitignore = path.join(dir, '.gitignore');
  if (!fs.existsSync(gitignore)) write(gitignore, 'node_modules/\ncdktf.out/\nstate/\n.terraform/\n*.tfstate\n*.tfstate.*\n.tenantctl.lock\n');
}

type NodeGroupDefault = import('../model/tiers').NodeGroupSize;

const NODE_SIZES = /^(\d+):(\d+):(\d+)$/;

function nodesProblem(value: string): string | undefined {
  return NODE_SIZES.test(value) ? undefined : `${value} is not min:desired:max, e.g. 2:3:4`;
}

function parseNodes(flag: string, value: string, instanceTypes: string[]) {
  const m = NODE_SIZES.exec(value);
  if (!m) {
    const { UsageError } = require('../model/errors') as typeof import('../model/errors');
    throw new UsageError(`${flag} ${value} is not min:desired:max, e.g. 2:3:4`);
  }
  return { instanceTypes, minSize: Number(m[1]), desiredSize: Number(m[2]), maxSize: Number(m[3]) };
}

/** Collects every value from flags, defaults and (in a terminal) prompts into a platform.json object. */
/** `name=accountId:purpose`; the schema then checks each part (name, 12-digit id, duplicates). */
function parseServiceAccount(value: string): { name: string; accountId: string; purpose: string } {
  const m = /^([^=]+)=([^:]+):(.+)$/.exec(value);
  if (!m) {
    const { UsageError } = require('../model/errors') as typeof import('../model/errors');
    throw new UsageError(`--service-account ${JSON.stringify(value)} is not name=accountId:purpose, e.g. payments=222233334444:"Payment services"`);
  }
  return { name: m[1], accountId: m[2], purpose: m[3] };
}

async function answers(opts: InitPlatformOptions): Promise<Record<string, unknown>> {
  const { EKS_VERSIONS } = await import('../model/eks-versions');
  const { defaultSubnetPlan } = await import('../model/cidr');
  const { platformSchema } = await import('../model/platform-schema');
  const { defaultAt, fieldProblem } = await import('../model/schema-path');
  const a = { yes: opts.yes };
  // Each answer is checked at its prompt by the schema of its field, with the message a
  // hand-edited platform.json gets, and asked again when wrong; defaults come from the schema.
  const field = (path: string) => ({ validate: (v: string) => fieldProblem(platformSchema, path.split('.'), v) });
  const optional = (path: string) => ({ validate: (v: string) => (v === '' ? undefined : fieldProblem(platformSchema, path.split('.'), v)) });
  const schemaDefault = (path: string) => String(defaultAt(platformSchema, path.split('.')));
  const nodesDefault = (group: 'system' | 'tenants') => defaultAt(platformSchema, ['eks', 'nodeGroups', group]) as NodeGroupDefault;
  const sizes = (g: NodeGroupDefault) => `${g.minSize}:${g.desiredSize}:${g.maxSize}`;
  const name = await ask({ flag: '--name', message: 'Platform name', given: opts.name, default: 'saas', ...field('name') }, a);
  const environment = await ask({ flag: '--environment', message: 'Environment', given: opts.environment, default: 'prod', ...field('environment') }, a);
  const region = await ask({ flag: '--region', message: 'AWS region', given: opts.region, default: 'us-east-1', ...field('aws.region') }, a);
  const accountId = await ask({ flag: '--account-id', message: 'AWS account id of the platform', given: opts.accountId, ...field('aws.accountId') }, a);
  const vpcCidr = await ask({ flag: '--vpc-cidr', message: 'VPC CIDR', given: opts.vpcCidr, default: schemaDefault('network.vpcCidr') }, a);
  const azs = list(await ask({ flag: '--azs', message: 'Availability zones (comma-separated)', given: opts.azs, default: ['a', 'b', 'c'].map((s) => region + s).join(',') }, a));
  const eksVersion = await ask(
    { flag: '--eks-version', message: 'EKS version', given: opts.eksVersion, default: schemaDefault('eks.version'), choices: opts.eksVersion ? undefined : EKS_VERSIONS.map((v) => ({ value: v, name: v })) },
    a,
  );
  const adminPrincipals = list(
    await ask(
      {
        flag: '--admin-principal-arns',
        message: 'IAM roles or users given cluster admin besides whoever applies the platform (comma-separated, empty for none)',
        given: opts.adminPrincipalArns,
        default: '',
        validate: (v) => list(v).map((arn) => fieldProblem(platformSchema, ['eks', 'adminPrincipalArns', '0'], arn)).find(Boolean),
      },
      a,
    ),
  );
  const domain = await ask({ flag: '--domain', message: 'Domain for tenant hosts (empty for none)', given: opts.domain, default: '', ...optional('domain') }, a);
  const dbInstanceClass = await ask({ flag: '--db-instance-class', message: 'Database instance class', given: opts.dbInstanceClass, default: schemaDefault('database.instanceClass'), ...field('database.instanceClass') }, a);
  const systemNodes = await ask({ flag: '--system-nodes', message: 'System node group min:desired:max', given: opts.systemNodes, default: sizes(nodesDefault('system')), validate: nodesProblem }, a);
  const tenantNodes = await ask({ flag: '--tenant-nodes', message: 'Tenants node group min:desired:max', given: opts.tenantNodes, default: sizes(nodesDefault('tenants')), validate: nodesProblem }, a);
  const plannedTenants = await ask({ flag: '--planned-tenants', message: 'Planned number of tenants', given: opts.plannedTenants, default: schemaDefault('database.plannedTenants'), ...field('database.plannedTenants') }, a);
  const tfcOrganization = await ask({ flag: '--tfc-organization', message: 'Terraform Cloud organization (empty for local state)', given: opts.tfcOrganization, default: '', ...optional('terraformCloud.organization') }, a);
  const serviceAccounts = (opts.serviceAccount ?? []).map(parseServiceAccount);

  // The subnet plan is written out so it is visible and editable in platform.json. A bad VPC CIDR
  // is reported by the schema, so the plan is only derived from a valid one.
  const { parseCidr } = await import('../model/cidr');
  const vpc = parseCidr(vpcCidr);
  const plan = typeof vpc !== 'string' && vpc.prefix <= 20 ? defaultSubnetPlan(vpcCidr, azs.length) : undefined;
  return {
    version: 1,
    name,
    environment,
    aws: { region, accountId, ...(serviceAccounts.length ? { serviceAccounts } : {}) },
    network: {
      vpcCidr,
      availabilityZones: azs,
      ...(plan ? { publicSubnets: plan.public, privateSubnets: plan.private, databaseSubnets: plan.database } : {}),
    },
    eks: {
      version: eksVersion,
      ...(adminPrincipals.length ? { adminPrincipalArns: adminPrincipals } : {}),
      nodeGroups: {
        system: parseNodes('--system-nodes', systemNodes, nodesDefault('system').instanceTypes),
        tenants: parseNodes('--tenant-nodes', tenantNodes, nodesDefault('tenants').instanceTypes),
      },
    },
    ...(domain ? { domain } : {}),
    database: { instanceClass: dbInstanceClass, plannedTenants: Number.isInteger(Number(plannedTenants)) ? Number(plannedTenants) : plannedTenants },
    ...(tfcOrganization ? { terraformCloud: { organization: tfcOrganization } } : {}),
  };
}
