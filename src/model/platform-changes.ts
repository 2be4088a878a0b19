import type { PlatformSpec } from './platform-schema';

/** The flag that confirms a platform change Terraform cannot apply in place. */
export const REPLACE_PLATFORM_FLAG = '--replace-platform';

const RENAMES =
  'renames every resource (cluster, VPC, database, keys, roles) and every tenant stack: Terraform destroys and re-creates them all, data included';
const SUBNETS = 'replaces subnets: the EKS cluster, its nodes and the database that live in them are destroyed and re-created, data included';

/**
 * Settings whose change Terraform cannot apply in place, with what it does instead. Every other
 * setting changes resources in place (sizes, versions, retention, lists of principals).
 */
const REPLACING: readonly { readonly path: readonly string[]; readonly consequence: string }[] = [
  { path: ['name'], consequence: RENAMES },
  { path: ['environment'], consequence: RENAMES },
  {
    path: ['aws', 'accountId'],
    consequence: 'moves the platform to another AWS account: everything is created anew there, and nothing of the old account is kept',
  },
  {
    path: ['aws', 'region'],
    consequence: 'moves the platform to another region: the cluster, the VPC and the database are destroyed and re-created there, data included',
  },
  {
    path: ['network', 'vpcCidr'],
    consequence: 'replaces the VPC and every subnet, and with them the EKS cluster, its nodes and the database, data included',
  },
  { path: ['network', 'availabilityZones'], consequence: SUBNETS },
  { path: ['network', 'publicSubnets'], consequence: SUBNETS },
  { path: ['network', 'privateSubnets'], consequence: SUBNETS },
  { path: ['network', 'databaseSubnets'], consequence: SUBNETS },
  {
    path: ['terraformCloud', 'organization'],
    consequence:
      'moves every workspace to another Terraform Cloud organization: the new workspaces start without state, so every stack would be created again',
  },
];

export interface ReplacingChange {
  readonly field: string;
  readonly from: unknown;
  readonly to: unknown;
  readonly consequence: string;
}

function at(spec: PlatformSpec, path: readonly string[]): unknown {
  return path.reduce<unknown>((cur, key) => (cur === undefined || cur === null ? undefined : (cur as Record<string, unknown>)[key]), spec);
}

/** The changes between two resolved platforms (defaults and derived subnets included) that replace infrastructure. */
export function replacingChanges(before: PlatformSpec, after: PlatformSpec): ReplacingChange[] {
  return REPLACING.flatMap(({ path, consequence }) => {
    const [from, to] = [at(before, path), at(after, path)];
    return JSON.stringify(from) === JSON.stringify(to) ? [] : [{ field: path.join('.'), from, to, consequence }];
  });
}

/** One line per change: `aws.region us-east-1 -> eu-west-1: moves the platform ...`. */
export function describeReplacing(changes: readonly ReplacingChange[]): string[] {
  const show = (v: unknown) => (v === undefined ? '(unset)' : typeof v === 'string' ? v : JSON.stringify(v));
  return changes.map((c) => `${c.field} ${show(c.from)} -> ${show(c.to)}: ${c.consequence}`);
}
