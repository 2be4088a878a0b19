import type { Command } from 'commander';
import {
  addTenant,
  checkTenantId,
  finalizeTenant,
  listTenants,
  loadCatalog,
  removeTenant,
  showTenant,
  updateTenant,
  type DryRun,
} from '../app/tenant';
import { addDirOption, projectDir } from './common';
import { ask, confirm } from './interactive';
import { info, parseOutputFormat, printJson, reporter, table } from './output';
import { printPreview } from './preview-output';

interface TenantFlags {
  dir: string;
  tier?: string;
  displayName?: string;
  adminEmail?: string;
  serviceAccount?: string;
  adminPrincipalArn?: string;
  set?: string[];
  synth: boolean;
  quiet?: boolean;
  yes: boolean;
  dryRun?: boolean;
  output?: string;
}

/** `--dry-run` and its `--output`, shared by add, update and remove. */
const addDryRun = (cmd: Command) =>
  cmd
    .option('--dry-run', 'print the resources that would be added, changed or destroyed in each stack, and write nothing')
    .option('-o, --output <format>', 'with --dry-run: human or json', 'human');

export function register(program: Command): void {
  const tenant = program.command('tenant').description('onboard, change and remove tenants (one file per tenant in tenants/)');

  const addFlags = (cmd: Command) =>
    addDirOption(cmd)
      .option('--display-name <name>', 'human-readable tenant name')
      .option('--admin-email <email>', "contact of the tenant's administrators")
      .option('--service-account <name>', 'AWS service account (from platform.json aws.serviceAccounts) the tenant lives in (default: platform)')
      .option('--admin-principal-arn <arn>', "IAM role of the tenant's team, given namespace-scoped cluster access")
      .option(
        '--set <path=value...>',
        'per-tenant override of a tier value, typed as the tier field is (lists as JSON), e.g. --set quota.cpu=8 --set requestsPerSecond=2000',
      )
      .option('--no-synth', 'write the tenant file only')
      .option('-q, --quiet', 'print nothing on success');

  addDryRun(addFlags(tenant.command('add <id>')).description("onboard a tenant: write tenants/<id>.json and synthesize the tenant's stack"))
    .option('-t, --tier <tier>', 'tier from the catalog (starter, standard, enterprise, or one defined in platform.json)')
    .option('-y, --yes', 'never prompt: take defaults for optional values', false)
    .addHelpText(
      'after',
      `
Examples:
  $ tenantctl tenant add acme --tier enterprise --display-name "Acme Corp" --admin-email ops@acme.example
  $ tenantctl tenant add beta --tier starter --set requestsPerSecond=200`,
    )
    .action(async (id: string, opts: TenantFlags) => addCommand(id, opts));

  addDirOption(tenant.command('list').description('list tenants'))
    .option('-o, --output <format>', 'human or json', 'human')
    .addHelpText('after', '\nExamples:\n  $ tenantctl tenant list\n  $ tenantctl tenant list --output json | jq -r ".[].id"')
    .action(async (opts: { dir: string; output: string }) => listCommand(opts));

  addDirOption(tenant.command('show <id>').description("show a tenant's configuration with its resolved tier and derived names"))
    .option('-o, --output <format>', 'human or json', 'human')
    .addHelpText('after', '\nExamples:\n  $ tenantctl tenant show acme\n  $ tenantctl tenant show acme --output json')
    .action(async (id: string, opts: { dir: string; output: string }) => showCommand(id, opts));

  addDryRun(addFlags(tenant.command('update <id>').description('change a tenant (tier up or down, contacts, overrides) and re-synthesize its stack')))
    .option('-t, --tier <tier>', 'new tier')
    .option('--unset <path...>', 'remove per-tenant overrides, e.g. --unset quota.cpu')
    .option('--restore', 'bring back a removed tenant (its kept data is used again)')
    .addHelpText(
      'after',
      '\nAn empty value clears a contact: --display-name "" --admin-email "" --admin-principal-arn "".\n\nExamples:\n' +
        '  $ tenantctl tenant update beta --tier standard --dry-run\n  $ tenantctl tenant update acme --set quota.memory=64Gi\n' +
        '  $ tenantctl tenant update acme --set nodes.nodeGroup.instanceTypes=\'["m6i.4xlarge","m7i.4xlarge"]\'\n' +
        '  $ tenantctl tenant update beta --restore',
    )
    .action(async (id: string, opts: TenantFlags & { unset?: string[]; restore?: boolean }) => updateCommand(id, opts));

  addDryRun(
    addDirOption(
      tenant
        .command('remove <id>')
        .description('remove a tenant: its stack is emptied so the next apply destroys its cluster and IAM objects; its data is kept'),
    )
      .option('--purge-data', "also drop the tenant's database schema, shared-table rows and role (asks for confirmation)", false)
      .option('-y, --yes', 'confirm --purge-data without asking (needed in CI)', false)
      .option('--no-synth', 'write the tenant file only')
      .option('-q, --quiet', 'print nothing on success'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  $ tenantctl tenant remove beta                      # keeps the data\n' +
        '  $ tenantctl tenant remove beta --purge-data --dry-run\n  $ tenantctl tenant remove beta --purge-data --yes   # drops it too',
    )
    .action(async (id: string, opts: RemoveFlags) => removeCommand(id, opts));

  addDirOption(
    tenant
      .command('finalize <id>')
      .description("after a removed tenant's stack has been applied: delete its file, and under Terraform Cloud let its workspace and run roles go"),
  )
    .option('--no-synth', 'delete the tenant file only')
    .option('--applied', "confirm that the removed tenant's stack has been applied (needed under Terraform Cloud, where tenantctl cannot see it)")
    .option('-q, --quiet', 'print nothing on success')
    .addHelpText(
      'after',
      `
Run it only once the apply of the removed tenant's stack has destroyed its resources: until then
its workspace and run roles are what that apply runs with. Refuses an active tenant, a local
state (state/tenant-<id>/terraform.tfstate) that still holds resources, and under Terraform Cloud
a run without --applied.

Examples:
  $ tenantctl tenant remove beta && git commit ...   # merge, apply tenant-beta
  $ tenantctl tenant finalize beta --applied         # then the next apply deletes its workspace`,
    )
    .action(async (id: string, opts: { dir: string; synth: boolean; applied?: boolean; quiet?: boolean }) =>
      finalizeTenant(projectDir(opts), id, opts, reporter(opts.quiet)),
    );
}

/** Prints a dry run's preview; `format` was checked before anything ran. */
function printDryRun(result: DryRun, format: string): void {
  if (result) printPreview(result.stacks, result.warnings, format);
}

async function addCommand(id: string, opts: TenantFlags): Promise<void> {
  const format = parseOutputFormat(opts.output);
  const dir = projectDir(opts);
  checkTenantId(id);
  const { tiers } = loadCatalog(dir);
  const tier = await ask(
    {
      flag: '--tier',
      message: 'Tier',
      given: opts.tier,
      choices: opts.tier ? undefined : Object.entries(tiers).map(([value, t]) => ({ value, name: value, description: t.description })),
    },
    { yes: opts.yes },
  );
  printDryRun(await addTenant(dir, id, { ...opts, tier }, opts, reporter(opts.quiet)), format);
}

async function updateCommand(id: string, opts: TenantFlags & { unset?: string[]; restore?: boolean }): Promise<void> {
  const format = parseOutputFormat(opts.output);
  printDryRun(await updateTenant(projectDir(opts), id, opts, opts, reporter(opts.quiet)), format);
}

interface RemoveFlags {
  dir: string;
  purgeData: boolean;
  yes: boolean;
  synth: boolean;
  quiet?: boolean;
  dryRun?: boolean;
  output?: string;
}

async function removeCommand(id: string, opts: RemoveFlags): Promise<void> {
  const format = parseOutputFormat(opts.output);
  const dir = projectDir(opts);
  if (opts.purgeData && !opts.dryRun) {
    // Fail on an unknown or invalid tenant before asking to confirm dropping its data.
    showTenant(dir, id);
    const ok = await confirm(`Drop ALL database data of tenant ${id} (schema, shared-table rows, role) on the next apply?`, {
      yes: opts.yes,
      flag: '--yes',
    });
    if (!ok) {
      info(opts.quiet, 'nothing changed');
      return;
    }
  }
  printDryRun(await removeTenant(dir, id, opts.purgeData, opts, reporter(opts.quiet)), format);
}

async function listCommand(opts: { dir: string; output: string }): Promise<void> {
  const format = parseOutputFormat(opts.output);
  const tenants = listTenants(projectDir(opts));
  if (format === 'json') {
    printJson(
      tenants.map((t) => ({
        id: t.id,
        tier: t.tier,
        status: t.status,
        displayName: t.displayName ?? null,
        serviceAccount: t.accountName,
        namespace: t.names.namespace,
        host: t.names.host ?? null,
      })),
    );
    return;
  }
  if (!tenants.length) {
    process.stdout.write('no tenants yet: tenantctl tenant add <id> --tier <tier>\n');
    return;
  }
  const rows = tenants.map((t) => [t.id, t.tier, t.status, t.accountName, t.names.namespace, t.displayName ?? '']);
  process.stdout.write(table(['ID', 'TIER', 'STATUS', 'ACCOUNT', 'NAMESPACE', 'NAME'], rows) + '\n');
}

async function showCommand(id: string, opts: { dir: string; output: string }): Promise<void> {
  const format = parseOutputFormat(opts.output);
  const { tenant: t, services, wave } = showTenant(projectDir(opts), id);
  const view = {
    id: t.id,
    tier: t.tier,
    status: t.status,
    displayName: t.displayName,
    adminEmail: t.adminEmail,
    serviceAccount: t.accountName,
    accountId: t.accountId,
    names: t.names,
    resolvedTier: t.tierSpec,
    overrides: t.overrides,
    services,
    wave,
  };
  if (format === 'json') {
    printJson(view);
    return;
  }
  const q = t.tierSpec.quota;
  const lines = [
    `tenant       ${t.id}${t.displayName ? ` (${t.displayName})` : ''}`,
    `tier         ${t.tier}${t.overrides.tier ? ' (with overrides)' : ''}`,
    `status       ${t.status}`,
    `account      ${t.accountName} (${t.accountId})`,
    `namespace    ${t.names.namespace}`,
    `host         ${t.names.host ?? '(no domain)'} path ${t.names.pathPrefix}`,
    `quota        ${q.cpu} CPU, ${q.memory} memory, ${q.pods} pods`,
    `rate limit   ${t.tierSpec.requestsPerSecond} requests/s`,
    `nodes        ${t.tierSpec.nodes.isolation}`,
    `database     schema ${t.names.dbSchema}, role ${t.names.dbRole}`,
    `IAM role     ${t.names.iamRole}`,
    ...services.map(
      (s, i) =>
        `${i === 0 ? 'services    ' : '            '} ${s.name} ${s.version}${s.pinned ? ' (pinned)' : ''}, ${s.replicas.min}-${s.replicas.max} replicas, ${s.path}`,
    ),
    ...(wave ? [`rollout wave ${wave.name}${wave.earlier.length ? ` (after ${wave.earlier.join(', ')})` : ' (the first)'}`] : []),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
