import type { Command } from 'commander';
import {
  checkCanInit,
  initPlatform,
  nodesProblem,
  platformConfig,
  proposedNodes,
  proposedValue,
  proposedZones,
  serviceAccountEntries,
  serviceAccountsProblem,
} from '../app/init';
import { EKS_VERSIONS } from '../model/eks-versions';
import { availabilityZoneProblem, defaultPlanVpcProblem, platformSchema } from '../model/platform-schema';
import { fieldProblem } from '../model/schema-path';
import { addDirOption, list, projectDir } from './common';
import { ask } from './interactive';
import { reporter } from './output';

export interface InitPlatformOptions {
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
      .option('--name <name>', `platform name, part of every resource name (default: ${proposedValue('name')})`)
      .option('--environment <env>', `environment, e.g. prod, staging (default: ${proposedValue('environment')})`)
      .option('--region <region>', `AWS region (default: ${proposedValue('region')})`)
      .option('--account-id <id>', 'AWS account id of the platform (12 digits; required)')
      .option('--vpc-cidr <cidr>', `VPC CIDR (default: ${proposedValue('network.vpcCidr')}; subnets are planned from it)`)
      .option('--azs <list>', 'availability zones, comma-separated (default: <region>a,b,c)')
      .option('--eks-version <version>', `Kubernetes version of the EKS cluster (default: ${proposedValue('eks.version')})`)
      .option(
        '--admin-principal-arns <list>',
        'IAM role or user ARNs given cluster admin, comma-separated (default: none besides whoever applies the platform)',
      )
      .option('--domain <domain>', 'public DNS zone for tenant hosts, enables HTTPS (default: none)')
      .option('--db-instance-class <class>', `RDS instance class (default: ${proposedValue('database.instanceClass')})`)
      .option('--system-nodes <min:desired:max>', `size of the system node group (default: ${proposedNodes('system')})`)
      .option('--tenant-nodes <min:desired:max>', `size of the shared tenants node group (default: ${proposedNodes('tenants')})`)
      .option('--planned-tenants <n>', `tenant capacity the database pool is sized for (default: ${proposedValue('database.plannedTenants')})`)
      .option('--tfc-organization <org>', 'Terraform Cloud organization: each stack gets its own workspace (default: none, local state files)')
      .option(
        '--service-account <name=id:purpose...>',
        'a further AWS account tenants may live in, e.g. payments=222233334444:"Payment services" (repeatable)',
      )
      .option('-y, --yes', 'take the defaults for every value not given as a flag', false)
      .option('--force', 'overwrite an existing platform.json', false)
      .option(
        '--replace-platform',
        'with --force and tenants present: confirm a change that replaces the cluster, VPC or database (account, region, name, environment, network)',
      )
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
      const dir = projectDir(opts);
      checkCanInit(dir, opts);
      await initPlatform(dir, await platformAnswers(opts), opts, reporter(opts.quiet));
    });
}

/**
 * The platform.json object of a new platform, every value a flag when given, else (in a terminal)
 * a prompt, else what init proposes. Each answer is checked at its prompt by the schema of its field, with the message a
 * hand-edited platform.json gets, and asked again when wrong.
 */
export async function platformAnswers(opts: InitPlatformOptions): Promise<Record<string, unknown>> {
  const a = { yes: opts.yes };
  const field = (path: string) => ({ validate: (v: string) => fieldProblem(platformSchema, path.split('.'), v) });
  const optional = (path: string) => ({ validate: (v: string) => (v === '' ? undefined : fieldProblem(platformSchema, path.split('.'), v)) });
  const name = await ask({ flag: '--name', message: 'Platform name', given: opts.name, default: proposedValue('name'), ...field('name') }, a);
  const environment = await ask(
    { flag: '--environment', message: 'Environment', given: opts.environment, default: proposedValue('environment'), ...field('environment') },
    a,
  );
  const region = await ask(
    { flag: '--region', message: 'AWS region', given: opts.region, default: proposedValue('region'), ...field('aws.region') },
    a,
  );
  const accountId = await ask(
    { flag: '--account-id', message: 'AWS account id of the platform', given: opts.accountId, ...field('aws.accountId') },
    a,
  );
  const vpcCidr = await ask(
    { flag: '--vpc-cidr', message: 'VPC CIDR', given: opts.vpcCidr, default: proposedValue('network.vpcCidr'), validate: defaultPlanVpcProblem },
    a,
  );
  const availabilityZones = list(
    await ask(
      {
        flag: '--azs',
        message: 'Availability zones (comma-separated)',
        given: opts.azs,
        default: proposedZones(region),
        validate: (v) =>
          list(v)
            .map((az) => availabilityZoneProblem(az, region))
            .find(Boolean),
      },
      a,
    ),
  );
  const eksVersion = await ask(
    {
      flag: '--eks-version',
      message: 'EKS version',
      given: opts.eksVersion,
      default: proposedValue('eks.version'),
      choices: opts.eksVersion ? undefined : EKS_VERSIONS.map((v) => ({ value: v, name: v })),
    },
    a,
  );
  const adminPrincipalArns = list(
    await ask(
      {
        flag: '--admin-principal-arns',
        message: 'IAM roles or users given cluster admin besides whoever applies the platform (comma-separated, empty for none)',
        given: opts.adminPrincipalArns,
        default: '',
        validate: (v) =>
          list(v)
            .map((arn) => fieldProblem(platformSchema, ['eks', 'adminPrincipalArns', '0'], arn))
            .find(Boolean),
      },
      a,
    ),
  );
  const domain = await ask(
    { flag: '--domain', message: 'Domain for tenant hosts (empty for none)', given: opts.domain, default: '', ...optional('domain') },
    a,
  );
  const dbInstanceClass = await ask(
    {
      flag: '--db-instance-class',
      message: 'Database instance class',
      given: opts.dbInstanceClass,
      default: proposedValue('database.instanceClass'),
      ...field('database.instanceClass'),
    },
    a,
  );
  const systemNodes = await ask(
    {
      flag: '--system-nodes',
      message: 'System node group min:desired:max',
      given: opts.systemNodes,
      default: proposedNodes('system'),
      validate: nodesProblem,
    },
    a,
  );
  const tenantNodes = await ask(
    {
      flag: '--tenant-nodes',
      message: 'Tenants node group min:desired:max',
      given: opts.tenantNodes,
      default: proposedNodes('tenants'),
      validate: nodesProblem,
    },
    a,
  );
  const plannedTenants = await ask(
    {
      flag: '--planned-tenants',
      message: 'Planned number of tenants',
      given: opts.plannedTenants,
      default: proposedValue('database.plannedTenants'),
      ...field('database.plannedTenants'),
    },
    a,
  );
  const tfcOrganization = await ask(
    {
      flag: '--tfc-organization',
      message: 'Terraform Cloud organization (empty for local state)',
      given: opts.tfcOrganization,
      default: '',
      ...optional('terraformCloud.organization'),
    },
    a,
  );
  // Service accounts: repeated flags, or one prompt of `;`-separated entries (a purpose may hold commas).
  const serviceAccounts = opts.serviceAccount?.length
    ? opts.serviceAccount
    : serviceAccountEntries(
        await ask(
          {
            flag: '--service-account',
            message: 'Other AWS accounts tenants may live in, as name=accountId:purpose (separated by ";", empty for none)',
            default: '',
            validate: (v) => serviceAccountsProblem(serviceAccountEntries(v)),
          },
          a,
        ),
      );
  return platformConfig({
    name,
    environment,
    region,
    accountId,
    vpcCidr,
    availabilityZones,
    eksVersion,
    adminPrincipalArns,
    domain,
    dbInstanceClass,
    systemNodes,
    tenantNodes,
    plannedTenants,
    tfcOrganization,
    serviceAccounts,
  });
}
