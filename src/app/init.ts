import * as fs from 'fs';
import * as path from 'path';
import { defaultSubnetPlan, parseCidr } from '../model/cidr';
import { TenantctlError, UsageError } from '../model/errors';
import { describeReplacing, REPLACE_PLATFORM_FLAG, replacingChanges } from '../model/platform-changes';
import { platformSchema, resolvePlatform } from '../model/platform-schema';
import { parseWith, PLATFORM_FILE, TENANTS_DIR } from '../model/project';
import { defaultAt, fieldProblem } from '../model/schema-path';
import type { NodeGroupSize } from '../model/tiers';
import { withProjectLock, writeJsonAtomic, writeTextAtomic } from '../project/files';
import { planProjectPackage } from '../project/project-package';
import { listTenantIds, loadPlatform, loadProject, platformFile } from '../project/project';
import type { Reporter } from './reporter';
import { synthesizeProject, synthSummary } from './synthesis';

/**
 * `tenantctl init platform`: a platform.json from the values given, the files a project needs
 * beside it, and a first synthesis. Values the schema defaults come from the schema; the few it
 * requires are proposed here.
 */

/** What init proposes for the values platform.json requires (the schema has no default for them). */
const PROPOSED = { name: 'saas', environment: 'prod', region: 'us-east-1' } as const;
/** Availability zones proposed in a region: its first three. */
const PROPOSED_ZONES = ['a', 'b', 'c'];

/** The value init proposes for a platform.json field: its own for required fields, else the schema's default. */
export function proposedValue(
  field: keyof typeof PROPOSED | 'network.vpcCidr' | 'eks.version' | 'database.instanceClass' | 'database.plannedTenants',
): string {
  return field in PROPOSED ? PROPOSED[field as keyof typeof PROPOSED] : String(defaultAt(platformSchema, field.split('.')));
}

export const proposedZones = (region: string): string => PROPOSED_ZONES.map((z) => region + z).join(',');

/** The schema's default for a node group, as `min:desired:max`. */
export function proposedNodes(group: 'system' | 'tenants'): string {
  const g = nodeGroupDefault(group);
  return `${g.minSize}:${g.desiredSize}:${g.maxSize}`;
}

const nodeGroupDefault = (group: 'system' | 'tenants') => defaultAt(platformSchema, ['eks', 'nodeGroups', group]) as NodeGroupSize;

const NODE_SIZES = /^(\d+):(\d+):(\d+)$/;

/** What is wrong with a `min:desired:max` value; undefined when it has that shape (the schema checks the numbers). */
export function nodesProblem(value: string): string | undefined {
  return NODE_SIZES.test(value) ? undefined : `${value} is not min:desired:max, e.g. 2:3:4`;
}

function parseNodes(flag: string, value: string, group: 'system' | 'tenants'): NodeGroupSize {
  const m = NODE_SIZES.exec(value);
  if (!m) throw new UsageError(`${flag} ${nodesProblem(value)}`);
  return { instanceTypes: nodeGroupDefault(group).instanceTypes, minSize: Number(m[1]), desiredSize: Number(m[2]), maxSize: Number(m[3]) };
}

const SERVICE_ACCOUNT = /^([^=]+)=([^:]+):(.+)$/;

/** `name=accountId:purpose`; the schema then checks each part (name, 12-digit id, duplicates). */
function parseServiceAccount(value: string): { name: string; accountId: string; purpose: string } {
  const m = SERVICE_ACCOUNT.exec(value);
  if (!m)
    throw new UsageError(`--service-account ${JSON.stringify(value)} is not name=accountId:purpose, e.g. payments=222233334444:"Payment services"`);
  return { name: m[1], accountId: m[2], purpose: m[3] };
}

/** `;`-separated service account entries of a prompt answer, trimmed, empty ones dropped. */
export const serviceAccountEntries = (value: string): string[] =>
  value
    .split(';')
    .map((e) => e.trim())
    .filter(Boolean);

/** What is wrong with prompted service accounts: their shape, then each field by the schema. */
export function serviceAccountsProblem(values: readonly string[]): string | undefined {
  for (const value of values) {
    const m = SERVICE_ACCOUNT.exec(value);
    if (!m) return `${JSON.stringify(value)} is not name=accountId:purpose, e.g. payments=222233334444:Payment services`;
    const problem =
      fieldProblem(platformSchema, ['aws', 'serviceAccounts', '0', 'name'], m[1]) ??
      fieldProblem(platformSchema, ['aws', 'serviceAccounts', '0', 'accountId'], m[2]);
    if (problem) return `${m[1]}: ${problem}`;
  }
  return undefined;
}

/** Every value of a new platform, as the command collected it (flags, prompts, proposals). */
export interface InitValues {
  readonly name: string;
  readonly environment: string;
  readonly region: string;
  readonly accountId: string;
  readonly vpcCidr: string;
  readonly availabilityZones: readonly string[];
  readonly eksVersion: string;
  readonly adminPrincipalArns: readonly string[];
  /** Empty for none. */
  readonly domain: string;
  readonly dbInstanceClass: string;
  /** `min:desired:max`. */
  readonly systemNodes: string;
  readonly tenantNodes: string;
  readonly plannedTenants: string;
  /** Empty for local state. */
  readonly tfcOrganization: string;
  /** `name=accountId:purpose` each. */
  readonly serviceAccounts: readonly string[];
}

/** The platform.json object for the values: optional sections only when set, the subnet plan written out. */
export function platformConfig(v: InitValues): Record<string, unknown> {
  const serviceAccounts = v.serviceAccounts.map(parseServiceAccount);
  // The subnet plan is written out so it is visible and editable in platform.json. A bad VPC CIDR
  // is reported by the schema, so the plan is only derived from a valid one.
  const vpc = parseCidr(v.vpcCidr);
  const plan = typeof vpc !== 'string' && vpc.prefix <= 20 ? defaultSubnetPlan(v.vpcCidr, v.availabilityZones.length) : undefined;
  return {
    version: 1,
    name: v.name,
    environment: v.environment,
    aws: { region: v.region, accountId: v.accountId, ...(serviceAccounts.length ? { serviceAccounts } : {}) },
    network: {
      vpcCidr: v.vpcCidr,
      availabilityZones: v.availabilityZones,
      ...(plan ? { publicSubnets: plan.public, privateSubnets: plan.private, databaseSubnets: plan.database } : {}),
    },
    eks: {
      version: v.eksVersion,
      ...(v.adminPrincipalArns.length ? { adminPrincipalArns: v.adminPrincipalArns } : {}),
      nodeGroups: { system: parseNodes('--system-nodes', v.systemNodes, 'system'), tenants: parseNodes('--tenant-nodes', v.tenantNodes, 'tenants') },
    },
    ...(v.domain ? { domain: v.domain } : {}),
    database: {
      instanceClass: v.dbInstanceClass,
      plannedTenants: Number.isInteger(Number(v.plannedTenants)) ? Number(v.plannedTenants) : v.plannedTenants,
    },
    ...(v.tfcOrganization ? { terraformCloud: { organization: v.tfcOrganization } } : {}),
  };
}

export interface InitOptions {
  /** Overwrite an existing platform.json. */
  readonly force: boolean;
  /** With `force` and tenants present: accept a change that replaces the cluster, VPC or database. */
  readonly replacePlatform?: boolean;
  readonly synth: boolean;
}

/** Refuses an existing platform.json without `force`, before any value is asked. */
export function checkCanInit(dir: string, opts: InitOptions): void {
  const file = platformFile(dir);
  if (fs.existsSync(file) && !opts.force) {
    throw new TenantctlError(
      `${path.relative(process.cwd(), file) || file} already exists`,
      'Change settings with `tenantctl platform set <path> <value>`, or pass --force to overwrite it.',
    );
  }
}

/** Writes platform.json, the project's scaffolding and its package.json, then synthesizes. */
export async function initPlatform(dir: string, config: Record<string, unknown>, opts: InitOptions, report: Reporter): Promise<void> {
  checkCanInit(dir, opts);
  const file = platformFile(dir);
  // Validate before writing anything, the project directory included: a bad flag leaves the
  // file system as it was.
  parseWith(platformSchema, config, `${PLATFORM_FILE} (from the given values)`);
  const packagePlan = planProjectPackage(dir);
  fs.mkdirSync(dir, { recursive: true });
  await withProjectLock(dir, async () => {
    if (fs.existsSync(file) && !opts.force) throw new TenantctlError(`${file} already exists`, 'Pass --force to overwrite it.');
    if (fs.existsSync(file) && !opts.replacePlatform) refuseReplacing(dir, config);
    writeJsonAtomic(file, config);
    fs.mkdirSync(path.join(dir, TENANTS_DIR), { recursive: true });
    writeScaffolding(dir);
    if (packagePlan.text) writeTextAtomic(packagePlan.file, packagePlan.text);
    report.info(`wrote ${path.join(dir, PLATFORM_FILE)}`);
    const added = Object.entries(packagePlan.added).map(([name, spec]) => `${name} ${spec}`);
    if (added.length) report.info(`${packagePlan.created ? 'wrote' : 'updated'} ${packagePlan.file}: devDependencies ${added.join(', ')}`);
    for (const note of packagePlan.notes) report.note(note);
    if (opts.synth) {
      const started = Date.now();
      const result = await synthesizeProject(loadProject(dir), {}, report.progress());
      report.info(synthSummary(result, (Date.now() - started) / 1000));
    }
    for (const step of packagePlan.next) report.info(`next: ${step}`);
    if (opts.synth) report.info(`next: npx tenantctl tenant add <id> --tier starter|standard|enterprise`);
  });
}

/**
 * `--force` over a platform with tenants: refused when the new values replace the cluster, VPC or
 * database (values left out fall back to defaults, which is how an account or a CIDR used to
 * be lost), unless --replace-platform.
 */
function refuseReplacing(dir: string, config: Record<string, unknown>): void {
  const tenants = listTenantIds(dir).length;
  if (!tenants) return;
  const changes = describeReplacing(replacingChanges(loadPlatform(dir), resolvePlatform(platformSchema.parse(config))));
  if (!changes.length) return;
  throw new TenantctlError(
    `platform.json was not overwritten: the new values cannot be applied in place while ${tenants} tenant(s) exist:\n` +
      changes.map((c) => `  - ${c}`).join('\n'),
    `Pass the current values as flags (see \`tenantctl platform show\`), change single settings with \`tenantctl platform set\`, or pass ` +
      `${REPLACE_PLATFORM_FLAG} to accept that.`,
  );
}

/** Files a new project needs beside platform.json; existing ones are left alone. */
function writeScaffolding(dir: string): void {
  const cdktfJson = path.join(dir, 'cdktf.json');
  if (!fs.existsSync(cdktfJson)) {
    const cdktf = {
      language: 'typescript',
      app: 'npx --no-install tenantctl synth --quiet',
      output: 'cdktf.out',
      projectId: 'tenantctl',
      sendCrashReports: 'false',
      terraformProviders: [],
      terraformModules: [],
      context: {},
    };
    writeTextAtomic(cdktfJson, JSON.stringify(cdktf, null, 2) + '\n');
  }
  const gitignore = path.join(dir, '.gitignore');
  if (!fs.existsSync(gitignore))
    writeTextAtomic(gitignore, 'node_modules/\ncdktf.out/\nstate/\n.terraform/\n*.tfstate\n*.tfstate.*\n.tenantctl.lock\n');
}
