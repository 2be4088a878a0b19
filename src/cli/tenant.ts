import * as fs from 'fs';
import * as path from 'path';
import type { Command } from 'commander';
import { addDirOption, projectDir } from './common';
import { ask, confirm } from './interactive';
import { info, parseOutputFormat, printJson, table } from './output';
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
      .option('--set <path=value...>', 'per-tenant override of a tier value, typed as the tier field is (lists as JSON), e.g. --set quota.cpu=8 --set requestsPerSecond=2000')
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
    .action(async (id: string, opts: TenantFlags) => addTenant(id, opts));

  addDirOption(tenant.command('list').description('list tenants'))
    .option('-o, --output <format>', 'human or json', 'human')
    .addHelpText('after', '\nExamples:\n  $ tenantctl tenant list\n  $ tenantctl tenant list --output json | jq -r ".[].id"')
    .action(async (opts: { dir: string; output: string }) => listTenants(opts));

  addDirOption(tenant.command('show <id>').description("show a tenant's configuration with its resolved tier and derived names"))
    .option('-o, --output <format>', 'human or json', 'human')
    .addHelpText('after', '\nExamples:\n  $ tenantctl tenant show acme\n  $ tenantctl tenant show acme --output json')
    .action(async (id: string, opts: { dir: string; output: string }) => showTenant(id, opts));

  addDryRun(addFlags(tenant.command('update <id>').description("change a tenant (tier up or down, contacts, overrides) and re-synthesize its stack")))
    .option('-t, --tier <tier>', 'new tier')
    .option('--unset <path...>', 'remove per-tenant overrides, e.g. --unset quota.cpu')
    .option('--restore', 'bring back a removed tenant (its kept data is used again)')
    .addHelpText(
      'after',
      '\nAn empty value clears a contact: --display-name "" --admin-email "" --admin-principal-arn "".\n\nExamples:\n  $ tenantctl tenant update beta --tier standard --dry-run\n  $ tenantctl tenant update acme --set quota.memory=64Gi\n  $ tenantctl tenant update acme --set nodes.nodeGroup.instanceTypes=\'["m6i.4xlarge","m7i.4xlarge"]\'\n  $ tenantctl tenant update beta --restore',
    )
    .action(async (id: string, opts: TenantFlags & { unset?: string[]; restore?: boolean }) => updateTenant(id, { ...opts, yes: true }));

  addDryRun(addDirOption(tenant.command('remove <id>').description("remove a tenant: its stack is emptied so the next apply destroys its cluster and IAM objects; its data is kept"))
    .option('--purge-data', "also drop the tenant's database schema, shared-table rows and role (asks for confirmation)", false)
    .option('-y, --yes', 'confirm --purge-data without asking (needed in CI)', false)
    .option('--no-synth', 'write the tenant file only')
    .option('-q, --quiet', 'print nothing on success'))
    .addHelpText('after', '\nExamples:\n  $ tenantctl tenant remove beta                      # keeps the data\n  $ tenantctl tenant remove beta --purge-data --dry-run\n  $ tenantctl tenant remove beta --purge-data --yes   # drops it too')
    .action(async (id: string, opts: RemoveFlags) => removeTenant(id, opts));

  addDirOption(tenant.command('finalize <id>').description("after a removed tenant's stack has been applied: delete its file, and under Terraform Cloud let its workspace and run roles go"))
    .option('--no-synth', 'delete the tenant file only')
    .option('-q, --quiet', 'print nothing on success')
    .addHelpText(
      'after',
      `
Run it only once the apply of the removed tenant's stack has destroyed its resources: until then
its workspace and run roles are what that apply runs with. Refuses an active tenant, and a local
state (state/tenant-<id>/terraform.tfstate) that still holds resources.

Examples:
  $ tenantctl tenant remove beta && git commit ...   # merge, apply tenant-beta
  $ tenantctl tenant finalize beta                   # then the next apply deletes its workspace`,
    )
    .action(async (id: string, opts: { dir: string; synth: boolean; quiet?: boolean }) => finalizeTenant(id, opts));
}

/** `--set a.b=value` pairs into a nested object, each value typed by the tier field at its path. */
function parseSets(sets: string[] | undefined): Record<string, unknown> | undefined {
  if (!sets?.length) return undefined;
  const { UsageError } = require('../model/errors') as typeof import('../model/errors');
  const { applySetting, isSettingPath, parseSetting } = require('../model/settings') as typeof import('../model/settings');
  const { tierSchema } = require('../model/tiers') as typeof import('../model/tiers');
  const out: Record<string, unknown> = {};
  for (const pair of sets) {
    const eq = pair.indexOf('=');
    if (eq < 0 || !isSettingPath(pair.slice(0, eq))) throw new UsageError(`--set ${pair} is not path=value, e.g. quota.cpu=8`);
    applySetting(out, parseSetting(tierSchema, pair.slice(0, eq), pair.slice(eq + 1), `--set ${pair}`));
  }
  return out;
}

async function loadPlatformAndTiers(dir: string) {
  const { loadPlatform } = await import('../project/project');
  const { loadTiers } = await import('../model/project');
  const platform = loadPlatform(dir);
  return { platform, tiers: loadTiers(platform) };
}

/**
 * Writes a tenant file and synthesizes the stacks that depend on it: its own and, under Terraform
 * Cloud, the workspaces stack and the bootstrap stacks holding its run roles (see
 * `tenantStackNames`). `previous` is the file's earlier text and spec, restored when synthesis
 * fails. With --dry-run, prints what the change would do instead, and writes nothing.
 */
async function commit(
  dir: string,
  tenant: import('../model/tenant-schema').TenantFile,
  spec: import('../model/project').TenantSpec,
  opts: { synth: boolean; quiet?: boolean; dryRun?: boolean; output?: string },
  previous?: { text: string; spec: import('../model/project').TenantSpec },
) {
  const { tenantChangeWarnings } = await import('../model/tenant-changes');
  const { tenantStackNames } = await import('../model/workspaces');
  const warnings = tenantChangeWarnings(previous?.spec, spec);
  if (opts.dryRun) {
    const format = parseOutputFormat(opts.output);
    const { previewEdit } = await import('../synth/preview');
    const preview = previewEdit(dir, { tenants: { [tenant.id]: tenant } }, (_, after) => tenantStackNames(after.platform, spec));
    printPreview(preview.stacks, warnings, format);
    return;
  }
  // Said before anything is written, so that an interrupted run has still shown it.
  for (const w of warnings) process.stderr.write(`warning: ${w}\n`);
  const { saveTenantFile, tenantFile, loadProject } = await import('../project/project');
  const file = tenantFile(dir, tenant.id);
  saveTenantFile(dir, tenant);
  info(opts.quiet, `wrote tenants/${tenant.id}.json`);
  if (!opts.synth) return;
  try {
    const { synthesizeForCli, synthSummary } = await import('./run-synth');
    const started = Date.now();
    const project = loadProject(dir);
    const result = await synthesizeForCli(project, { stacks: tenantStackNames(project.platform, spec) });
    info(opts.quiet, synthSummary(result, (Date.now() - started) / 1000));
  } catch (err) {
    // Keep configuration and output consistent: a tenant whose stack cannot be built is not written.
    const { writeTextAtomic } = await import('../project/files');
    if (previous === undefined) fs.rmSync(file, { force: true });
    else writeTextAtomic(file, previous.text);
    throw err;
  }
}

/** The way forward from a removed tenant, for `add` and `update` to say. */
function removedTenantHint(id: string, purged: boolean): string {
  const finalize = `once the removal is applied, \`tenantctl tenant finalize ${id}\` deletes its file, and the id can be added again`;
  return purged
    ? `Its data is purged on the removal's apply: ${finalize}.`
    : `Its data was kept: restore it with \`tenantctl tenant update ${id} --restore\`, or ${finalize}.`;
}

/** Contact flags: a value sets the field, an empty value ("") removes it. */
function applyContacts(raw: Record<string, unknown>, opts: TenantFlags): void {
  const contacts = { displayName: opts.displayName, adminEmail: opts.adminEmail, adminPrincipalArn: opts.adminPrincipalArn };
  for (const [field, value] of Object.entries(contacts)) {
    if (value === '') delete raw[field];
    else if (value !== undefined) raw[field] = value;
  }
}

async function addTenant(id: string, opts: TenantFlags): Promise<void> {
  const dir = projectDir(opts);
  const { TenantctlError, ConfigError } = await import('../model/errors');
  const { tenantIdProblem } = await import('../model/tenant-schema');
  const problem = tenantIdProblem(id);
  if (problem) throw new ConfigError('tenant id', [{ field: 'id', message: problem }]);
  const { platform, tiers } = await loadPlatformAndTiers(dir);
  const tier = await ask(
    {
      flag: '--tier',
      message: 'Tier',
      given: opts.tier,
      choices: opts.tier ? undefined : Object.entries(tiers).map(([value, t]) => ({ value, name: value, description: t.description })),
    },
    { yes: opts.yes },
  );
  const { withProjectLock } = await import('../project/files');
  await withProjectLock(dir, async () => {
    const { tenantFile } = await import('../project/project');
    const { parseWith, resolveTenant } = await import('../model/project');
    const { tenantSchema } = await import('../model/tenant-schema');
    if (fs.existsSync(tenantFile(dir, id))) {
      const existing = parseWith(tenantSchema, JSON.parse(fs.readFileSync(tenantFile(dir, id), 'utf8')), `tenants/${id}.json`);
      if (existing.status === 'removed') throw new TenantctlError(`tenant ${id} was removed (tenants/${id}.json has status "removed")`, removedTenantHint(id, existing.purgeData));
      throw new TenantctlError(`tenant ${id} already exists (tenants/${id}.json)`, `Use \`tenantctl tenant update ${id}\` to change it, or choose another id.`);
    }
    const raw: Record<string, unknown> = { version: 1, id, tier };
    applyContacts(raw, opts);
    if (opts.serviceAccount) raw.serviceAccount = opts.serviceAccount;
    const sets = parseSets(opts.set);
    if (sets) raw.overrides = { tier: sets };
    const display = `tenants/${id}.json (from the given values)`;
    const file = parseWith(tenantSchema, raw, display);
    await commit(dir, raw as typeof file, resolveTenant(file, platform, tiers, display), opts);
  });
}

async function updateTenant(id: string, opts: TenantFlags & { unset?: string[]; restore?: boolean }): Promise<void> {
  const dir = projectDir(opts);
  const { withProjectLock } = await import('../project/files');
  await withProjectLock(dir, async () => {
    const { platform, tiers } = await loadPlatformAndTiers(dir);
    const { tenantFile, loadTenant } = await import('../project/project');
    const { parseWith, resolveTenant } = await import('../model/project');
    const { tenantSchema } = await import('../model/tenant-schema');
    const { deepMerge } = await import('../model/tiers');
    const { TenantctlError } = await import('../model/errors');
    const current = loadTenant(dir, platform, tiers, id);
    const previous = fs.readFileSync(tenantFile(dir, id), 'utf8');
    const raw = JSON.parse(previous) as Record<string, any>;
    if (opts.restore) {
      if (current.status !== 'removed') throw new TenantctlError(`tenant ${id} is not removed: there is nothing to restore`);
      if (current.purgeData) throw new TenantctlError(`tenant ${id} was removed with --purge-data: its data is dropped, so it cannot be restored`, removedTenantHint(id, true));
      delete raw.status;
      delete raw.purgeData;
    } else if (current.status === 'removed') {
      throw new TenantctlError(`tenant ${id} is removed`, removedTenantHint(id, current.purgeData));
    }
    if (opts.tier) raw.tier = opts.tier;
    applyContacts(raw, opts);
    if (opts.serviceAccount && opts.serviceAccount !== current.accountName) {
      // The stack's state holds resources in the old account (its account role, its run roles);
      // Terraform cannot move them, it would orphan them.
      throw new TenantctlError(
        `tenant ${id} lives in account ${current.accountName}: a tenant cannot move to another AWS account`,
        `Remove it (tenant remove ${id}), apply, and add it under a new id with --service-account ${opts.serviceAccount}.`,
      );
    }
    const sets = parseSets(opts.set);
    if (sets) raw.overrides = { ...raw.overrides, tier: deepMerge(raw.overrides?.tier ?? {}, sets) };
    for (const p of opts.unset ?? []) unsetPath(raw.overrides?.tier, p.split('.'));
    const display = `tenants/${id}.json (with the given changes)`;
    const file = parseWith(tenantSchema, raw, display);
    await commit(dir, raw as typeof file, resolveTenant(file, platform, tiers, display, id), opts, { text: previous, spec: current });
  });
}

function unsetPath(obj: Record<string, any> | undefined, keys: string[]): void {
  if (!obj) return;
  if (keys.length === 1) {
    delete obj[keys[0]];
    return;
  }
  unsetPath(obj[keys[0]], keys.slice(1));
  if (obj[keys[0]] && Object.keys(obj[keys[0]]).length === 0) delete obj[keys[0]];
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

async function removeTenant(id: string, opts: RemoveFlags): Promise<void> {
  const dir = projectDir(opts);
  if (opts.purgeData && !opts.dryRun) {
    // Fail on an unknown or invalid tenant before asking to confirm dropping its data.
    const { platform, tiers } = await loadPlatformAndTiers(dir);
    (await import('../project/project')).loadTenant(dir, platform, tiers, id);
    const ok = await confirm(`Drop ALL database data of tenant ${id} (schema, shared-table rows, role) on the next apply?`, { yes: opts.yes, flag: '--yes' });
    if (!ok) {
      info(opts.quiet, 'nothing changed');
      return;
    }
  }
  const { withProjectLock } = await import('../project/files');
  await withProjectLock(dir, async () => {
    const { platform, tiers } = await loadPlatformAndTiers(dir);
    const { tenantFile, loadTenant } = await import('../project/project');
    const { parseWith, resolveTenant } = await import('../model/project');
    const { tenantSchema } = await import('../model/tenant-schema');
    // Fails with a clear message on an unknown or invalid tenant before anything is written.
    const current = loadTenant(dir, platform, tiers, id);
    const previous = fs.readFileSync(tenantFile(dir, id), 'utf8');
    const raw = JSON.parse(previous) as Record<string, unknown>;
    raw.status = 'removed';
    raw.purgeData = opts.purgeData;
    const display = `tenants/${id}.json (removed)`;
    const file = parseWith(tenantSchema, raw, display);
    await commit(dir, raw as typeof file, resolveTenant(file, platform, tiers, display, id), opts, { text: previous, spec: current });
    if (opts.dryRun) return;
    info(
      opts.quiet,
      opts.purgeData
        ? `tenant ${id} removed: the next apply of tenant-${id} destroys its objects and drops its data`
        : `tenant ${id} removed: the next apply of tenant-${id} destroys its cluster and IAM objects; its database schema and rows are kept`,
    );
    info(opts.quiet, `after that apply, \`tenantctl tenant finalize ${id}\` deletes tenants/${id}.json${platform.terraformCloud ? ' and lets its workspace and run roles go' : ''}; keep the file until then`);
  });
}

async function finalizeTenant(id: string, opts: { dir: string; synth: boolean; quiet?: boolean }): Promise<void> {
  const dir = projectDir(opts);
  const { withProjectLock } = await import('../project/files');
  await withProjectLock(dir, async () => {
    const { platform, tiers } = await loadPlatformAndTiers(dir);
    const { tenantFile, loadTenant, loadProject } = await import('../project/project');
    const { tenantStackNames, workspaceFor, tfcRoleName, credentialAccounts } = await import('../model/workspaces');
    const { stateFile, stateResourceCount } = await import('../project/lifecycle');
    const { STATE_DIR } = await import('../model/project');
    const { TenantctlError } = await import('../model/errors');
    const tenant = loadTenant(dir, platform, tiers, id);
    const stack = tenant.names.stack;
    if (tenant.status !== 'removed') {
      throw new TenantctlError(
        `tenant ${id} is active: only a removed tenant can be finalized`,
        `Run \`tenantctl tenant remove ${id}\` and apply ${stack} (that destroys its resources); then \`tenantctl tenant finalize ${id}\` deletes its file.`,
      );
    }
    // Only a local backend can be asked here; under Terraform Cloud the user confirms the apply ran.
    const left = stateResourceCount(stateFile(dir, stack));
    if (left) {
      throw new TenantctlError(
        `${stack} still holds ${left} resource${left === 1 ? '' : 's'} (${STATE_DIR}/${stack}/terraform.tfstate): its removal has not been applied`,
        `Apply ${stack} first (e.g. \`npx cdktf deploy ${stack}\`), then run \`tenantctl tenant finalize ${id}\` again.`,
      );
    }
    const file = tenantFile(dir, id);
    const previous = fs.readFileSync(file, 'utf8');
    // The shared stacks that held the tenant (its workspace, its run roles) lose it now.
    const shared = tenantStackNames(platform, tenant).filter((name) => name !== stack);
    fs.rmSync(file);
    let removedOutput = false;
    if (opts.synth) {
      try {
        const { synthesizeForCli } = await import('./run-synth');
        removedOutput = (await synthesizeForCli(loadProject(dir), { stacks: shared })).removed.includes(stack);
      } catch (err) {
        const { writeTextAtomic } = await import('../project/files');
        writeTextAtomic(file, previous);
        throw err;
      }
    }
    info(opts.quiet, `deleted tenants/${id}.json${removedOutput ? ` and the output of ${stack}` : ''}`);
    if (platform.terraformCloud) {
      const roles = credentialAccounts({ name: stack, kind: 'tenant', accountName: tenant.accountName }).map((a) => `bootstrap-${a}`);
      info(
        opts.quiet,
        `the next apply deletes workspace ${workspaceFor(platform, stack, tenant.accountName).workspace} (workspaces stack) and run role ${tfcRoleName(platform, stack)} ` +
          `(${roles.join(', ')}; with its cluster access entry in bootstrap-platform)`,
      );
    } else {
      const state = path.join(STATE_DIR, stack);
      info(opts.quiet, `nothing is left to apply${fs.existsSync(path.join(dir, state)) ? `; ${state}/ holds only its empty state and may be deleted` : ''}`);
    }
    if (!tenant.purgeData) info(opts.quiet, `its database schema ${tenant.names.dbSchema} and rows stay, as \`tenant remove\` kept them`);
  });
}

async function listTenants(opts: { dir: string; output: string }): Promise<void> {
  const format = parseOutputFormat(opts.output);
  const dir = projectDir(opts);
  const { platform, tiers } = await loadPlatformAndTiers(dir);
  const { loadTenants } = await import('../project/project');
  const tenants = loadTenants(dir, platform, tiers);
  if (format === 'json') {
    printJson(tenants.map((t) => ({ id: t.id, tier: t.tier, status: t.status, displayName: t.displayName ?? null, serviceAccount: t.accountName, namespace: t.names.namespace, host: t.names.host ?? null })));
    return;
  }
  if (!tenants.length) {
    process.stdout.write('no tenants yet: tenantctl tenant add <id> --tier <tier>\n');
    return;
  }
  const rows = tenants.map((t) => [t.id, t.tier, t.status, t.accountName, t.names.namespace, t.displayName ?? '']);
  process.stdout.write(table(['ID', 'TIER', 'STATUS', 'ACCOUNT', 'NAMESPACE', 'NAME'], rows) + '\n');
}

async function showTenant(id: string, opts: { dir: string; output: string }): Promise<void> {
  const format = parseOutputFormat(opts.output);
  const dir = projectDir(opts);
  const { platform, tiers } = await loadPlatformAndTiers(dir);
  const { loadTenant } = await import('../project/project');
  const t = loadTenant(dir, platform, tiers, id);
  const view = { id: t.id, tier: t.tier, status: t.status, displayName: t.displayName, adminEmail: t.adminEmail, serviceAccount: t.accountName, accountId: t.accountId, names: t.names, resolvedTier: t.tierSpec, overrides: t.overrides };
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
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
