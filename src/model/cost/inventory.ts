import { rdsCapacity } from '../instance-types';
import { POOL_LABEL } from '../node-pools';
import type { NodeGroupSize } from '../tiers';

/**
 * What the synthesized stacks create that AWS bills, read from their Terraform JSON
 * (`cdk.tf.json`): the stacks are the one description of the topology, so counts (keys, NAT
 * gateways, endpoints per AZ, node groups and their sizes) are never restated here. Every AWS
 * resource type is either priced below or listed in UNPRICED_TYPES with the reason; anything else
 * is reported as unknown, so a new billed resource cannot slip past the estimate.
 */

/** Who a priced resource serves: the platform as a whole, the shared tenant nodes, or one tenant. */
export type CostPool = 'platform' | 'shared-nodes' | 'dedicated';

interface Base {
  /** Stack and Terraform address (`aws_kms_key.keys_eks_key_...`). */
  readonly stack: string;
  readonly address: string;
}

/** A group of EC2 instances: an EKS managed node group or an Auto Scaling group (Terraform Cloud agents). */
export interface NodeGroupItem extends Base {
  readonly kind: 'nodes';
  readonly name: string;
  /** `system`, `tenants` (shared), `dedicated` (a tenant's own) or `agents`. */
  readonly role: 'system' | 'tenants' | 'dedicated' | 'agents';
  readonly capacityType: 'ON_DEMAND' | 'SPOT';
  readonly instanceType: string;
  readonly desiredSize: number;
  readonly minSize: number;
  readonly maxSize: number;
  readonly rootVolumeGiB: number;
}

export type InventoryItem =
  | NodeGroupItem
  | (Base & { readonly kind: 'eks-cluster'; readonly supportType: string })
  | (Base & { readonly kind: 'nat-gateway' })
  | (Base & { readonly kind: 'public-ipv4'; readonly count: number; readonly of: string })
  | (Base & { readonly kind: 'alb' })
  | (Base & { readonly kind: 'rds'; readonly instanceClass: string; readonly multiAz: boolean; readonly storageGiB: number })
  | (Base & { readonly kind: 'rds-proxy'; readonly vcpu: number; readonly instanceClass: string })
  | (Base & { readonly kind: 'elasticache'; readonly nodeType: string; readonly nodes: number })
  | (Base & { readonly kind: 'log-group' })
  | (Base & { readonly kind: 'kms-key' })
  | (Base & { readonly kind: 'secret'; readonly of: string })
  | (Base & { readonly kind: 'ecr-repository' })
  | (Base & { readonly kind: 'waf-web-acl'; readonly rules: number })
  | (Base & { readonly kind: 'interface-endpoint'; readonly azs: number; readonly service: string });

export type InventoryKind = InventoryItem['kind'];

/** The AWS resource types priced by the estimate, and the kind each becomes. */
export const PRICED_TYPES: Readonly<Record<string, string>> = {
  aws_eks_cluster: 'EKS control plane per hour',
  aws_eks_node_group: 'EC2 instances (desired size) and their gp3 root volumes',
  aws_autoscaling_group: 'EC2 instances (desired capacity) and their gp3 root volumes',
  aws_nat_gateway: 'NAT gateway hours and processed data',
  aws_eip: 'public IPv4 address hours',
  aws_lb: 'ALB hours, LCUs and one public IPv4 address per subnet',
  aws_db_instance: 'RDS instance hours (x2 Multi-AZ), gp3 storage, the RDS-managed master secret',
  aws_db_proxy: 'RDS Proxy per vCPU of the instance it fronts',
  aws_elasticache_replication_group: 'ElastiCache node hours',
  aws_cloudwatch_log_group: 'CloudWatch Logs ingestion (assumed volume, spread over the groups)',
  aws_kms_key: 'KMS customer managed key per month',
  aws_secretsmanager_secret: 'Secrets Manager secret per month',
  aws_ecr_repository: 'ECR storage (assumed volume)',
  aws_wafv2_web_acl: 'WAF web ACL, rules and requests',
  aws_vpc_endpoint: 'interface endpoints per AZ-hour and data (gateway endpoints are free)',
};

/** AWS resource types the stacks create that carry no charge of their own, each with why. */
export const UNPRICED_TYPES: Readonly<Record<string, string>> = {
  aws_vpc: 'no charge',
  aws_subnet: 'no charge',
  aws_route: 'no charge',
  aws_route_table: 'no charge',
  aws_route_table_association: 'no charge',
  aws_internet_gateway: 'no charge (data transfer out is not estimated)',
  aws_default_security_group: 'no charge',
  aws_security_group: 'no charge',
  aws_vpc_security_group_ingress_rule: 'no charge',
  aws_vpc_security_group_egress_rule: 'no charge',
  aws_flow_log: 'delivery is billed as log ingestion, in the assumed log volume',
  aws_iam_role: 'no charge',
  aws_cognito_user_pool:
    'billed per monthly active user (Essentials for the pooled pool, Plus for a dedicated one), not per pool: no charge without users; end-user counts are not estimated',
  aws_cognito_user_pool_client: 'no charge',
  aws_ssm_parameter: 'no charge (standard tier)',
  aws_iam_role_policy: 'no charge',
  aws_iam_role_policies_exclusive: 'no charge',
  aws_iam_role_policy_attachment: 'no charge',
  aws_iam_policy: 'no charge',
  aws_iam_instance_profile: 'no charge',
  aws_iam_openid_connect_provider: 'no charge',
  aws_iam_service_linked_role: 'no charge',
  aws_kms_alias: 'no charge (the key is priced)',
  aws_eks_addon: 'no charge for the managed add-ons tenantctl installs',
  aws_eks_access_entry: 'no charge',
  aws_eks_access_policy_association: 'no charge',
  aws_launch_template: 'no charge (its instances and volumes are priced with the node group)',
  aws_autoscaling_group_tag: 'no charge',
  aws_autoscaling_schedule: 'no charge (its saving is the scale-down optimisation)',
  aws_db_parameter_group: 'no charge',
  aws_db_subnet_group: 'no charge',
  aws_db_proxy_default_target_group: 'no charge (the proxy is priced)',
  aws_db_proxy_target: 'no charge (the proxy is priced)',
  aws_elasticache_parameter_group: 'no charge',
  aws_elasticache_subnet_group: 'no charge',
  aws_ecr_lifecycle_policy: 'no charge',
  aws_lb_listener: 'no charge (the ALB is priced)',
  aws_lb_target_group: 'no charge (the ALB is priced)',
  aws_secretsmanager_secret_version: 'no charge (the secret is priced)',
  aws_sns_topic: 'billed per publish and delivery: alerts are a few thousand messages a month, within the free tier; not estimated',
  aws_sns_topic_policy: 'no charge',
  aws_wafv2_web_acl_association: 'no charge (the web ACL is priced)',
  aws_wafv2_web_acl_logging_configuration: 'delivery is billed as log ingestion, in the assumed log volume',
  aws_s3_bucket: 'ALB access logs: a few GB a month at S3 Standard prices, under a dollar; not estimated',
  aws_s3_bucket_lifecycle_configuration: 'no charge',
  aws_s3_bucket_ownership_controls: 'no charge',
  aws_s3_bucket_policy: 'no charge',
  aws_s3_bucket_public_access_block: 'no charge',
  aws_s3_bucket_server_side_encryption_configuration: 'no charge',
  aws_s3_bucket_versioning: 'no charge',
  aws_acm_certificate: 'public ACM certificates are free',
  aws_acm_certificate_validation: 'no charge',
  aws_route53_record: 'records of an existing hosted zone: queries to alias records are free',
};

/** A synthesized stack: its name and its parsed `cdk.tf.json`. */
export interface SynthesizedStack {
  readonly name: string;
  readonly json: { readonly resource?: Readonly<Record<string, Readonly<Record<string, unknown>>>> };
}

export interface Inventory {
  readonly items: readonly InventoryItem[];
  /** AWS resource types neither priced nor known to be free, with the stacks creating them. */
  readonly unknownTypes: readonly { readonly type: string; readonly stacks: readonly string[] }[];
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const first = (v: unknown): Json => obj(Array.isArray(v) ? v[0] : v);
const num = (v: unknown, fallback = 0): number => (typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : fallback);
/** `${aws_launch_template.x.id}` -> `x`. */
const referenced = (v: unknown, type: string): string | undefined => new RegExp(`^\\$\\{${type}\\.([^.]+)\\.`).exec(String(v ?? ''))?.[1];

/** Root volume of a launch template's first block device, GiB. */
function rootVolume(resources: Readonly<Record<string, Readonly<Record<string, unknown>>>>, template: unknown): number {
  const id = referenced(template, 'aws_launch_template');
  const lt = id ? obj(resources.aws_launch_template?.[id]) : {};
  return num(first(first(lt.block_device_mappings).ebs).volume_size);
}

/** The priced inventory of synthesized stacks (pure: the JSON in, the items out). */
export function inventoryOf(stacks: readonly SynthesizedStack[]): Inventory {
  const items: InventoryItem[] = [];
  const unknown = new Map<string, Set<string>>();
  for (const { name: stack, json } of stacks) {
    const resources = json.resource ?? {};
    const tenantStack = stack.startsWith('tenant-');
    for (const [type, byId] of Object.entries(resources)) {
      if (!type.startsWith('aws_')) continue;
      if (!(type in PRICED_TYPES) && !(type in UNPRICED_TYPES)) {
        unknown.set(type, (unknown.get(type) ?? new Set()).add(stack));
        continue;
      }
      for (const [id, raw] of Object.entries(byId)) {
        const r = obj(raw);
        const base = { stack, address: `${type}.${id}` };
        switch (type) {
          case 'aws_eks_cluster':
            items.push({ ...base, kind: 'eks-cluster', supportType: String(first(r.upgrade_policy).support_type ?? 'STANDARD') });
            break;
          case 'aws_eks_node_group': {
            const scaling = first(r.scaling_config);
            const pool = obj(r.labels)[POOL_LABEL];
            items.push({
              ...base,
              kind: 'nodes',
              name: String(r.node_group_name),
              role: tenantStack ? 'dedicated' : pool === 'system' ? 'system' : 'tenants',
              capacityType: r.capacity_type === 'SPOT' ? 'SPOT' : 'ON_DEMAND',
              instanceType: String((r.instance_types as unknown[])[0]),
              desiredSize: num(scaling.desired_size),
              minSize: num(scaling.min_size),
              maxSize: num(scaling.max_size),
              rootVolumeGiB: rootVolume(resources, first(r.launch_template).id),
            });
            break;
          }
          case 'aws_autoscaling_group': {
            const ltId = referenced(first(r.launch_template).id, 'aws_launch_template');
            const lt = ltId ? obj(resources.aws_launch_template?.[ltId]) : {};
            items.push({
              ...base,
              kind: 'nodes',
              name: String(r.name),
              role: 'agents',
              capacityType: 'ON_DEMAND',
              instanceType: String(lt.instance_type),
              desiredSize: num(r.desired_capacity, num(r.min_size)),
              minSize: num(r.min_size),
              maxSize: num(r.max_size),
              rootVolumeGiB: rootVolume(resources, first(r.launch_template).id),
            });
            break;
          }
          case 'aws_nat_gateway':
            items.push({ ...base, kind: 'nat-gateway' });
            break;
          case 'aws_eip':
            items.push({ ...base, kind: 'public-ipv4', count: 1, of: 'Elastic IP' });
            break;
          case 'aws_lb':
            if (r.load_balancer_type !== 'application') break;
            items.push({ ...base, kind: 'alb' });
            // An internet-facing ALB holds one public IPv4 address per subnet (AZ).
            if (r.internal !== true) items.push({ ...base, kind: 'public-ipv4', count: (r.subnets as unknown[]).length, of: 'ALB' });
            break;
          case 'aws_db_instance':
            items.push({
              ...base,
              kind: 'rds',
              instanceClass: String(r.instance_class),
              multiAz: r.multi_az === true,
              storageGiB: num(r.allocated_storage),
            });
            // RDS keeps the master password in a Secrets Manager secret of its own, billed like any other.
            if (r.manage_master_user_password === true) items.push({ ...base, kind: 'secret', of: 'RDS master user (managed by RDS)' });
            break;
          case 'aws_db_proxy': {
            // The proxy bills by the vCPU of the instance behind it, at least 2.
            const instance = Object.values(resources.aws_db_instance ?? {}).map(obj)[0];
            const instanceClass = String(instance?.instance_class);
            items.push({ ...base, kind: 'rds-proxy', instanceClass, vcpu: Math.max(2, rdsCapacity(instanceClass)?.vcpu ?? 2) });
            break;
          }
          case 'aws_elasticache_replication_group':
            items.push({ ...base, kind: 'elasticache', nodeType: String(r.node_type), nodes: num(r.num_cache_clusters, 1) });
            break;
          case 'aws_cloudwatch_log_group':
            items.push({ ...base, kind: 'log-group' });
            break;
          case 'aws_kms_key':
            items.push({ ...base, kind: 'kms-key' });
            break;
          case 'aws_secretsmanager_secret':
            items.push({ ...base, kind: 'secret', of: String(r.name) });
            break;
          case 'aws_ecr_repository':
            items.push({ ...base, kind: 'ecr-repository' });
            break;
          case 'aws_wafv2_web_acl':
            items.push({ ...base, kind: 'waf-web-acl', rules: Array.isArray(r.rule) ? r.rule.length : 0 });
            break;
          case 'aws_vpc_endpoint':
            if (r.vpc_endpoint_type === 'Interface') {
              const service = String(obj(r.tags).Name ?? id);
              items.push({ ...base, kind: 'interface-endpoint', azs: Array.isArray(r.subnet_ids) ? r.subnet_ids.length : 1, service });
            }
            break;
        }
      }
    }
  }
  return { items, unknownTypes: [...unknown].map(([type, s]) => ({ type, stacks: [...s].sort() })).sort((a, b) => a.type.localeCompare(b.type)) };
}

/** The pool of a priced item: dedicated nodes belong to their tenant, shared tenant nodes to the shared tiers. */
export function poolOf(item: InventoryItem): CostPool {
  if (item.kind === 'nodes' && item.role === 'dedicated') return 'dedicated';
  if (item.kind === 'nodes' && item.role === 'tenants') return 'shared-nodes';
  return 'platform';
}

/** What the estimate needs of a tenant whose tier may give it nodes of its own. */
export interface DedicatedTenant {
  readonly stack: string;
  readonly nodeGroupName: string;
  readonly nodes: { readonly isolation: 'shared' } | { readonly isolation: 'dedicated'; readonly nodeGroup: NodeGroupSize };
}

/**
 * The dedicated node groups of the tenant stacks, from the tenants' tiers: the tenant stack's
 * DedicatedNodes builds its group from exactly this size (a test holds the two together), so
 * hundreds of tenant stacks need not be synthesized to be priced. Their root volumes are those
 * of the platform's node groups (one NodeGroup construct builds both).
 */
export function dedicatedNodesOf(tenants: readonly DedicatedTenant[], rootVolumeGiB: number): NodeGroupItem[] {
  return tenants.flatMap((t): NodeGroupItem[] =>
    t.nodes.isolation === 'dedicated'
      ? [
          {
            kind: 'nodes',
            stack: t.stack,
            address: 'aws_eks_node_group (dedicated nodes)',
            name: t.nodeGroupName,
            role: 'dedicated',
            capacityType: 'ON_DEMAND',
            instanceType: t.nodes.nodeGroup.instanceTypes[0],
            desiredSize: t.nodes.nodeGroup.desiredSize,
            minSize: t.nodes.nodeGroup.minSize,
            maxSize: t.nodes.nodeGroup.maxSize,
            rootVolumeGiB,
          },
        ]
      : [],
  );
}
