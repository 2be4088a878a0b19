import * as fs from 'fs';
import * as path from 'path';
import { ConfigError, TenantctlError, UsageError } from '../model/errors';
import { bootstrapStackName } from '../model/names';
import { loadTiers, parseWith, resolveTenant, STATE_DIR, TENANTS_DIR, type TenantSpec } from '../model/project';
import { applySetting, isSettingPath, parseSetting } from '../model/settings';
import { tenantChangeWarnings } from '../model/tenant-changes';
import { tenantIdProblem, tenantSchema, type TenantFile } from '../model/tenant-schema';
import { tenantServices } from '../model/tenant-services';
import { deepMerge, tierSchema, type TierSpec } from '../model/tiers';
import { credentialAccounts, tenantStackNames, tfcRoleName, workspaceFor } from '../model/workspaces';
import { withProjectLock, writeTextAtomic } from '../project/files';
import { stateFile, stateResourceCount } from '../project/lifecycle';
import { loadPlatform, loadProject, loadTenant, loadTenants, saveTenantFile, tenantFile } from '../project/project';
import type { StackPreview } from '../synth/preview';
import type { Reporter } from './reporter';
import { previewEdit, synthesizeProject, synthSummary } from './synthesis';

/**
 * A tenant's lifecycle as the commands drive it: add, update, remove, finalize. Each change is
 * validated as a hand-edited file would be, written under the project lock, and synthesized into
 * the stacks it touches; a change whose stacks cannot be built is rolled back.
 */

/** Contacts and overrides a command sets; an empty contact ("") removes the field. */
export interface TenantValues {
  readonly tier?: string;
  readonly displayName?: string;
  readonly adminEmail?: string;
  readonly serviceAccount?: string;
  readonly adminPrincipalArn?: string;
  /** `path=value` overrides of tier fields, typed by the tier schema. */
  readonly set?: readonly string[];
}

export interface WriteOptions {
  /** Synthesize the stacks the change touches (default in the CLI). */
  readonly synth: boolean;
  /** Write nothing: return what each stack would add, change and destroy. */
  readonly dryRun?: boolean;
}

/** What a dry run found; undefined when the change was written. */
export type DryRun = { readonly stacks: StackPreview[]; readonly warnings: string[] } | undefined;

/** The platform and its resolved tier catalog (the tiers a tenant may take). */
export function loadCatalog(dir: string): { platform: ReturnType<typeof loadPlatform>; tiers: Record<string, TierSpec> } {
  const platform = loadPlatform(dir);
  return { platform, tiers: loadTiers(platform) };
}

/** Refuses an id before anything else is asked or read. */
export function checkTenantId(id: string): void {
  const problem = tenantIdProblem(id);
  if (problem) throw new ConfigError('tenant id', [{ field: 'id', message: problem }]);
}

/** `--set a.b=value` pairs into a nested object, each value typed by the tier field at its path. */
function parseSets(sets: readonly string[] | undefined): Record<string, unknown> | undefined {
  if (!sets?.length) return undefined;
  const out: Record<string, unknown> = {};
  for (const pair of sets) {
    const eq = pair.indexOf('=');
    if (eq < 0 || !isSettingPath(pair.slice(0, eq))) throw new UsageError(`--set ${pair} is not path=value, e.g. quota.cpu=8`);
    applySetting(out, parseSetting(tierSchema, pair.slice(0, eq), pair.slice(eq + 1), `--set ${pair}`));
  }
  return out;
}

/** Contact values: a value sets the field, an empty value ("") removes it. */
function applyContacts(raw: Record<string, unknown>, values: TenantValues): void {
  const contacts = { displayName: values.displayName, adminEmail: values.adminEmail, adminPrincipalArn: values.adminPrincipalArn };
  for (const [field, value] of Object.entries(contacts)) {
    if (value === '') delete raw[field];
    else if (value !== undefined) raw[field] = value;
  }
}

/** The way forward from a removed tenant, for `add` and `update` to say. */
function removedTenantHint(id: string, purged: boolean): string {
  const finalize = `once the removal is applied, \`tenantctl tenant finalize ${id}\` deletes its file, and the id can be added again`;
  return purged
    ? `Its data is purged on the removal's apply: ${finalize}.`
    : `Its data was kept: restore it with \`tenantctl tenant update ${id} --restore\`, or ${finalize}.`;
}

/**
 * Writes a tenant file and synthesizes the stacks that depend on it: its own and, under Terraform
 * Cloud, the workspaces stack and the bootstrap stacks holding its run roles (see
 * `tenantStackNames`). `previous` is the file's earlier text and spec, restored when synthesis
 * fails. With `dryRun`, returns what the change would do instead, and writes nothing.
 */
async function commit(
  dir: string,
  tenant: TenantFile,
  spec: TenantSpec,
  opts: WriteOptions,
  report: Reporter,
  previous?: { text: string; spec: TenantSpec },
): Promise<DryRun> {
  const warnings = tenantChangeWarnings(previous?.spec, spec);
  if (opts.dryRun) {
    const preview = previewEdit(dir, { tenants: { [tenant.id]: tenant } }, (_, after) => tenantStackNames(after.platform, spec));
    return { stacks: preview.stacks, warnings };
  }
  // Said before anything is written, so that an interrupted run has still shown it.
  for (const w of warnings) report.warn(w);
  const file = tenantFile(dir, tenant.id);
  saveTenantFile(dir, tenant);
  report.info(`wrote ${TENANTS_DIR}/${tenant.id}.json`);
  if (!opts.synth) return undefined;
  try {
    const started = Date.now();
    const project = loadProject(dir);
    const result = await synthesizeProject(project, { stacks: tenantStackNames(project.platform, spec) }, report.progress());
    report.info(synthSummary(result, (Date.now() - started) / 1000));
  } catch (err) {
    // Keep configuration and output consistent: a tenant whose stack cannot be built is not written.
    if (previous === undefined) fs.rmSync(file, { force: true });
    else writeTextAtomic(file, previous.text);
    throw err;
  }
  return undefined;
}

export async function addTenant(
  dir: string,
  id: string,
  values: TenantValues & { readonly tier: string },
  opts: WriteOptions,
  report: Reporter,
): Promise<DryRun> {
  checkTenantId(id);
  return withProjectLock(dir, async () => {
    const { platform, tiers } = loadCatalog(dir);
    if (fs.existsSync(tenantFile(dir, id))) {
      const existing = parseWith(tenantSchema, JSON.parse(fs.readFileSync(tenantFile(dir, id), 'utf8')), `${TENANTS_DIR}/${id}.json`);
      if (existing.status === 'removed')
        throw new TenantctlError(
          `tenant ${id} was removed (${TENANTS_DIR}/${id}.json has status "removed")`,
          removedTenantHint(id, existing.purgeData),
        );
      throw new TenantctlError(
        `tenant ${id} already exists (${TENANTS_DIR}/${id}.json)`,
        `Use \`tenantctl tenant update ${id}\` to change it, or choose another id.`,
      );
    }
    const raw: Record<string, unknown> = { version: 1, id, tier: values.tier };
    applyContacts(raw, values);
    if (values.serviceAccount) raw.serviceAccount = values.serviceAccount;
    const sets = parseSets(values.set);
    if (sets) raw.overrides = { tier: sets };
    const display = `${TENANTS_DIR}/${id}.json (from the given values)`;
    const file = parseWith(tenantSchema, raw, display);
    return commit(dir, raw as typeof file, resolveTenant(file, platform, tiers, display), opts, report);
  });
}

export interface TenantUpdate extends TenantValues {
  /** Per-tenant overrides to remove, e.g. `quota.cpu`. */
  readonly unset?: readonly string[];
  /** Bring back a removed tenant whose data was kept. */
  readonly restore?: boolean;
}

/**
 * A tenant to change: its spec checked against the platform (a clear error on an unknown or
 * invalid tenant, before anything is written), its file's text to restore, and that text parsed.
 */
function existingTenant(dir: string, id: string) {
  const { platform, tiers } = loadCatalog(dir);
  const current = loadTenant(dir, platform, tiers, id);
  const previous = fs.readFileSync(tenantFile(dir, id), 'utf8');
  return { platform, tiers, current, previous, raw: JSON.parse(previous) as JsonObject };
}

export async function updateTenant(dir: string, id: string, values: TenantUpdate, opts: WriteOptions, report: Reporter): Promise<DryRun> {
  return withProjectLock(dir, async () => {
    const { platform, tiers, current, previous, raw } = existingTenant(dir, id);
    if (values.restore) {
      if (current.status !== 'removed') throw new TenantctlError(`tenant ${id} is not removed: there is nothing to restore`);
      if (current.purgeData)
        throw new TenantctlError(
          `tenant ${id} was removed with --purge-data: its data is dropped, so it cannot be restored`,
          removedTenantHint(id, true),
        );
      delete raw.status;
      delete raw.purgeData;
    } else if (current.status === 'removed') {
      throw new TenantctlError(`tenant ${id} is removed`, removedTenantHint(id, current.purgeData));
    }
    if (values.tier) raw.tier = values.tier;
    applyContacts(raw, values);
    if (values.serviceAccount && values.serviceAccount !== current.accountName) {
      // The stack's state holds resources in the old account (its account role, its run roles);
      // Terraform cannot move them, it would orphan them.
      throw new TenantctlError(
        `tenant ${id} lives in account ${current.accountName}: a tenant cannot move to another AWS account`,
        `Remove it (tenant remove ${id}), apply, and add it under a new id with --service-account ${values.serviceAccount}.`,
      );
    }
    const sets = parseSets(values.set);
    const overrides = raw.overrides as { tier?: JsonObject } | undefined;
    if (sets) raw.overrides = { ...overrides, tier: deepMerge(overrides?.tier ?? {}, sets) };
    for (const p of values.unset ?? []) unsetPath((raw.overrides as { tier?: JsonObject } | undefined)?.tier, p.split('.'));
    const display = `${TENANTS_DIR}/${id}.json (with the given changes)`;
    const file = parseWith(tenantSchema, raw, display);
    return commit(dir, raw as typeof file, resolveTenant(file, platform, tiers, display, id), opts, report, { text: previous, spec: current });
  });
}

type JsonObject = { [key: string]: unknown };

function unsetPath(obj: JsonObject | undefined, keys: string[]): void {
  if (!obj) return;
  if (keys.length === 1) {
    delete obj[keys[0]];
    return;
  }
  const child = obj[keys[0]] as JsonObject | undefined;
  unsetPath(child, keys.slice(1));
  if (child && Object.keys(child).length === 0) delete obj[keys[0]];
}

/** One catalog service of a tenant as `tenant show` lists it. */
export interface TenantServiceListing {
  readonly name: string;
  /** `<repository>:<tag>` as the tenant's pods pull it. */
  readonly image: string;
  readonly version: string;
  /** The tenant file pins the tag. */
  readonly pinned: boolean;
  readonly replicas: { readonly min: number; readonly max: number };
  readonly application: string;
  /** Git path of the tenant's deployment of the service. */
  readonly path: string;
}

/**
 * One tenant, loaded and checked against the platform (fails clearly on an unknown or invalid
 * one), with the catalog services it runs.
 */
export function showTenant(
  dir: string,
  id: string,
): { tenant: TenantSpec; services: TenantServiceListing[]; wave?: { readonly name: string; readonly earlier: readonly string[] } } {
  const { platform, tiers } = loadCatalog(dir);
  const tenant = loadTenant(dir, platform, tiers, id);
  const all = tenantServices(platform, tenant);
  const services = all.map((s) => ({
    name: s.name,
    image: `${s.image.repository}:${s.image.tag}`,
    version: s.image.tag,
    pinned: s.pinned,
    replicas: s.values.replicas,
    application: s.application,
    path: s.path,
  }));
  return { tenant, services, wave: all[0]?.wave };
}

export function listTenants(dir: string): TenantSpec[] {
  const { platform, tiers } = loadCatalog(dir);
  return loadTenants(dir, platform, tiers);
}

/**
 * Marks a tenant removed: its stack is emptied, so the next apply destroys its cluster and IAM
 * objects; its data is kept unless `purgeData`.
 */
export async function removeTenant(dir: string, id: string, purgeData: boolean, opts: WriteOptions, report: Reporter): Promise<DryRun> {
  return withProjectLock(dir, async () => {
    const { platform, tiers, current, previous, raw } = existingTenant(dir, id);
    raw.status = 'removed';
    raw.purgeData = purgeData;
    const display = `${TENANTS_DIR}/${id}.json (removed)`;
    const file = parseWith(tenantSchema, raw, display);
    const dryRun = await commit(dir, raw as typeof file, resolveTenant(file, platform, tiers, display, id), opts, report, {
      text: previous,
      spec: current,
    });
    if (dryRun) return dryRun;
    report.info(
      purgeData
        ? `tenant ${id} removed: the next apply of ${current.names.stack} destroys its objects and drops its data`
        : `tenant ${id} removed: the next apply of ${current.names.stack} destroys its cluster and IAM objects; its database schema and ` +
            `rows are kept`,
    );
    report.info(
      `after that apply, \`tenantctl tenant finalize ${id}\` deletes ${TENANTS_DIR}/${id}.json${platform.terraformCloud ? ' and lets its workspace and run roles go' : ''}; keep the file until then`,
    );
    return undefined;
  });
}

/**
 * After a removed tenant's stack has been applied: deletes its file and re-synthesizes the shared
 * stacks that held it (its workspace, its run roles), which the next apply then lets go.
 */
export async function finalizeTenant(
  dir: string,
  id: string,
  opts: { readonly synth: boolean; readonly applied?: boolean },
  report: Reporter,
): Promise<void> {
  await withProjectLock(dir, async () => {
    const { platform, tiers } = loadCatalog(dir);
    const tenant = loadTenant(dir, platform, tiers, id);
    const stack = tenant.names.stack;
    if (tenant.status !== 'removed') {
      throw new TenantctlError(
        `tenant ${id} is active: only a removed tenant can be finalized`,
        `Run \`tenantctl tenant remove ${id}\` and apply ${stack} (that destroys its resources); then \`tenantctl tenant finalize ${id}\` ` +
          `deletes its file.`,
      );
    }
    // Only a local backend can be asked here; under Terraform Cloud the user confirms the apply ran.
    if (platform.terraformCloud && !opts.applied) {
      throw new TenantctlError(
        `tenantctl cannot see whether the removal of ${stack} has been applied in Terraform Cloud, and finalizing first would delete the ` +
          `workspace and run roles that apply needs`,
        `Once the run of workspace ${workspaceFor(platform, stack, tenant.accountName).workspace} has destroyed its resources, run ` +
          `\`tenantctl tenant finalize ${id} --applied\`.`,
      );
    }
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
        removedOutput = (await synthesizeProject(loadProject(dir), { stacks: shared }, report.progress())).removed.includes(stack);
      } catch (err) {
        writeTextAtomic(file, previous);
        throw err;
      }
    }
    report.info(`deleted ${TENANTS_DIR}/${id}.json${removedOutput ? ` and the output of ${stack}` : ''}`);
    if (platform.terraformCloud) {
      const roles = credentialAccounts({ name: stack, kind: 'tenant', accountName: tenant.accountName }).map(bootstrapStackName);
      report.info(
        `the next apply deletes workspace ${workspaceFor(platform, stack, tenant.accountName).workspace} (workspaces stack) and run role ` +
          `${tfcRoleName(platform, stack)} ` +
          `(${roles.join(', ')}; with its cluster access entry in bootstrap-platform)`,
      );
    } else {
      const state = path.join(STATE_DIR, stack);
      report.info(
        `nothing is left to apply${fs.existsSync(path.join(dir, state)) ? `; ${state}/ holds only its empty state and may be deleted` : ''}`,
      );
    }
    if (!tenant.purgeData) report.info(`its database schema ${tenant.names.dbSchema} and rows stay, as \`tenant remove\` kept them`);
  });
}
