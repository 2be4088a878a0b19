import * as fs from 'fs';
import * as path from 'path';
import type { Command } from 'commander';
import { addDirOption, projectDir } from './common';
import { ask, confirm } from './interactive';
import { info, parseOutputFormat, printJson, table } from './output';

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
}

export function register(program: Command): void {
  const tenant = program.command('tenant').description('onboard, change and remove tenants (one file per tenant in tenants/)');

  const addFlags = (cmd: Command) =>
    addDirOption(cmd)
      .option('--display-name <name>', 'human-readable tenant name')
      .option('--admin-email <email>', "contact of the tenant's administrators")
      .option('--service-account <name>', 'AWS service account (from platform.json aws.serviceAccounts) the tenant lives in (default: platform)')
      .option('--admin-principal-arn <arn>', "IAM role of the tenant's team, given namespace-scoped cluster access")
      .option('--set <path=value...>', 'per-tenant override of a tier value, e.g. --set quota.cpu=8 --set requestsPerSecond=2000')
      .option('--no-synth', 'write the tenant file only')
      .option('-q, --quiet', 'print nothing on success');

  addFlags(tenant.command('add <id>').description("onboard a tenant: write tenants/<id>.json and synthesize the tenant's stack"))
    .option('-t, --tier <tier>', 'tier from the catalog (starter, standard, enterprise, or one defined in platform.json)')
    .option('-y, --yes', 'take defaults for optional values', false)
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

  addFlags(tenant.command('update <id>').description("change a tenant (tier up or down, contacts, overrides) and re-synthesize its stack"))
    .option('-t, --tier <tier>', 'new tier')
    .option('--unset <path...>', 'remove per-tenant overrides, e.g. --unset quota.cpu')
    .addHelpText('after', '\nExamples:\n  $ tenantctl tenant update beta --tier standard\n  $ tenantctl tenant update acme --set quota.memory=64Gi')
    .action(async (id: string, opts: TenantFlags & { unset?: string[] }) => updateTenant(id, { ...opts, yes: true }));

  addDirOption(tenant.command('remove <id>').description("remove a tenant: its stack is emptied so the next apply destroys its cluster and IAM objects; its data is kept"))
    .option('--purge-data', "also drop the tenant's database schema, shared-table rows and role (asks for confirmation)", false)
    .option('-y, --yes', 'confirm --purge-data without asking (needed in CI)', false)
    .option('--no-synth', 'write the tenant file only')
    .option('-q, --quiet', 'print nothing on success')
    .addHelpText('after', '\nExamples:\n  $ tenantctl tenant remove beta                      # keeps the data\n  $ tenantctl tenant remove beta --purge-data --yes   # drops it too')
    .action(async (id: string, opts: { dir: string; purgeData: boolean; yes: boolean; synth: boolean; quiet?: boolean }) => removeTenant(id, opts));

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

/** `--set a.b=value` pairs into a nested object; numbers and booleans are parsed. */
function parseSets(sets: string[] | undefined): Record<string, unknown> | undefined {
  if (!sets?.length) return undefined;
  const { UsageError } = require('../config/errors') as typeof import('../config/errors');
  const out: Record<string, unknown> = {};
  for (const pair of sets) {
    // Every segment is a plain field name: this refuses `a..b` (an empty key) and `__proto__`,
    // which would otherwise write into Object.prototype instead of the overrides.
    const m = /^([a-zA-Z]\w*(?:\.[a-zA-Z]\w*)*)=(.*)$/.exec(pair);
    if (!m) throw new UsageError(`--set ${pair} is not path=value, e.g. quota.cpu=8`);
    const keys = m[1].split('.');
    let cur = out;
    for (const k of keys.slice(0, -1)) cur = (cur[k] ??= {}) as Record<string, unknown>;
    const raw = m[2];
    cur[keys[keys.length - 1]] = /^-?\d+(\.\d+)?$/.test(raw) && !/^0\d/.test(raw) && keys[keys.length - 1] !== 'cpu' ? Number(raw) : raw === 'true' ? true : raw === 'false' ? false : raw;
  }
  return out;
}

async function loadPlatformAndTiers(dir: string) {
  const { loadPlatform, loadTiers } = await import('../config/project');
  const platform = loadPlatform(dir);
  return { platform, tiers: loadTiers(platform) };
}

/**
 * Writes a tenant file and synthesizes the stacks that depend on it: its own and, under Terraform
 * Cloud, the workspaces stack and the bootstrap stacks holding its run roles (see
 * `tenantStackNames`). `previous` is the file's earlier text, restored when synthesis fails.
 */
async function commit(
  dir: string,
  tenant: import('../config/tenant-schema').TenantFile,
  opts: { synth: boolean; quiet?: boolean },
  previous?: { text: string },
) {
  const { saveTenantFile, tenantFile, loadProject } = await import('../config/project');
  const file = tenantFile(dir, tenant.id);
  saveTenantFile(dir, tenant);
  info(opts.quiet, `wrote tenants/${tenant.id}.json`);
  if (!opts.synth) return;
  try {
    const { synthesizeForCli, synthSummary } = await import('./run-synth');
    const { tenantStackNames } = await import('../config/workspaces');
    const started = Date.now();
    const project = loadProject(dir);
    const spec = project.tenants.find((t) => t.id === tenant.id)!;
    const result = await synthesizeForCli(project, { stacks: tenantStackNames(project.platform, spec) });
    info(opts.quiet, synthSummary(result, (Date.now() - started) / 1000));
  } catch (err) {
    // Keep configuration and output consistent: a tenant whose stack cannot be built is not written.
    const { writeTextAtomic } = await import('../config/files');
    if (previous === undefined) fs.rmSync(file, { force: true });
    else writeTextAtomic(file, previous.text);
    throw err;
  }
}

async function addTenant(id: string, opts: TenantFlags): Promise<void> {
  const dir = projectDir(opts);
  const { TenantctlError, ConfigError } = await import('../config/errors');
  const { tenantIdProblem } = await import('../config/tenant-schema');
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
    { yes: false },
  );
  const { withProjectLock } = await import('../config/files');
  await withProjectLock(dir, async () => {
    const { tenantFile, parseWith, resolveTenant } = await import('../config/project');
    const { tenantSchema } = await import('../config/tenant-schema');
    if (fs.existsSync(tenantFile(dir, id))) {
      throw new TenantctlError(`tenant ${id} already exists (tenants/${id}.json)`, `Use \`tenantctl tenant update ${id}\` to change it, or choose another id.`);
    }
    const raw = {
      version: 1,
      id,
      tier,
      ...(opts.displayName ? { displayName: opts.displayName } : {}),
      ...(opts.adminEmail ? { adminEmail: opts.adminEmail } : {}),
      ...(opts.serviceAccount ? { serviceAccount: opts.serviceAccount } : {}),
      ...(opts.adminPrincipalArn ? { adminPrincipalArn: opts.adminPrincipalArn } : {}),
      ...(opts.set ? { overrides: { tier: parseSets(opts.set) } } : {}),
    };
    const display = `tenants/${id}.json (from the given values)`;
    const file = parseWith(tenantSchema, raw, display);
    resolveTenant(file, platform, tiers, display);
    await commit(dir, raw as typeof file, opts);
  });
}

async function updateTenant(id: string, opts: TenantFlags & { unset?: string[] }): Promise<void> {
  const dir = projectDir(opts);
  const { withProjectLock } = await import('../config/files');
  await withProjectLock(dir, async () => {
    const { platform, tiers } = await loadPlatformAndTiers(dir);
    const { tenantFile, parseWith, resolveTenant, loadTenant } = await import('../config/project');
    const { tenantSchema } = await import('../config/tenant-schema');
    const { deepMerge } = await import('../config/tiers');
    const { TenantctlError } = await import('../config/errors');
    const current = loadTenant(dir, platform, tiers, id);
    if (current.status === 'removed') throw new TenantctlError(`tenant ${id} is removed`, 'A removed tenant cannot be updated; add it under a new id.');
    const previous = fs.readFileSync(tenantFile(dir, id), 'utf8');
    const raw = JSON.parse(previous) as Record<string, any>;
    if (opts.tier) raw.tier = opts.tier;
    if (opts.displayName) raw.displayName = opts.displayName;
    if (opts.adminEmail) raw.adminEmail = opts.adminEmail;
    if (opts.serviceAccount && opts.serviceAccount !== current.accountName) {
      // The stack's state holds resources in the old account (its account role, its run roles);
      // Terraform cannot move them, it would orphan them.
      throw new TenantctlError(
        `tenant ${id} lives in account ${current.accountName}: a tenant cannot move to another AWS account`,
        `Remove it (tenant remove ${id}), apply, and add it under a new id with --service-account ${opts.serviceAccount}.`,
      );
    }
    if (opts.adminPrincipalArn) raw.adminPrincipalArn = opts.adminPrincipalArn;
    const sets = parseSets(opts.set);
    if (sets) raw.overrides = { ...raw.overrides, tier: deepMerge(raw.overrides?.tier ?? {}, sets) };
    for (const p of opts.unset ?? []) unsetPath(raw.overrides?.tier, p.split('.'));
    const display = `tenants/${id}.json (with the given changes)`;
    const file = parseWith(tenantSchema, raw, display);
    resolveTenant(file, platform, tiers, display, id);
    await commit(dir, raw as typeof file, opts, { text: previous });
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

async function removeTenant(id: string, opts: { dir: string; purgeData: boolean; yes: boolean; synth: boolean; quiet?: boolean }): Promise<void> {
  const dir = projectDir(opts);
  if (opts.purgeData) {
    // Fail on an unknown or invalid tenant before asking to confirm dropping its data.
    const { platform, tiers } = await loadPlatformAndTiers(dir);
    (await import('../config/project')).loadTenant(dir, platform, tiers, id);
    const ok = await confirm(`Drop ALL database data of tenant ${id} (schema, shared-table rows, role) on the next apply?`, { yes: opts.yes, flag: '--yes' });
    if (!ok) {
      info(opts.quiet, 'nothing changed');
      return;
    }
  }
  const { withProjectLock } = await import('../config/files');
  await withProjectLock(dir, async () => {
    const { platform, tiers } = await loadPlatformAndTiers(dir);
    const { tenantFile, loadTenant } = await import('../config/project');
    // Fails with a clear message on an unknown or invalid tenant before anything is written.
    loadTenant(dir, platform, tiers, id);
    const previous = fs.readFileSync(tenantFile(dir, id), 'utf8');
    const raw = JSON.parse(previous) as Record<string, unknown>;
    raw.status = 'removed';
    raw.purgeData = opts.purgeData;
    await commit(dir, raw as any, opts, { text: previous });
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
  const { withProjectLock } = await import('../config/files');
  await withProjectLock(dir, async () => {
    const { platform, tiers } = await loadPlatformAndTiers(dir);
    const { tenantFile, loadTenant, loadProject } = await import('../config/project');
    const { tenantStackNames, workspaceFor, tfcRoleName, credentialAccounts } = await import('../config/workspaces');
    const { stateFile, stateResourceCount, STATE_DIR } = await import('../config/lifecycle');
    const { TenantctlError } = await import('../config/errors');
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
        const { writeTextAtomic } = await import('../config/files');
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
  const { loadTenants } = await import('../config/project');
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
  const { loadTenant } = await import('../config/project');
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
