import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { TENANT_LABEL } from '../../../src/model/labels';
import { PLATFORM_OPERATORS_GROUP, platformNames } from '../../../src/model/names';
import { POOL_LABEL, SYSTEM_TAINT } from '../../../src/model/node-pools';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import { splitTenantCapacity } from '../../../src/model/spot-capacity';
import { NODEGROUP_LABEL } from '../eks/node-group';
import { validatingAdmissionPolicy } from './validating-admission-policy';

export interface NodeIdentityAdmissionProps {
  readonly platform: PlatformSpec;
  readonly dependsOn?: ITerraformDependable[];
}

/** EKS's managed node group controller: it applies a node group's labels and taints to its existing Nodes. */
export const EKS_NODE_MANAGER = 'eks:node-manager';

/** The Kubernetes group of every kubelet (EKS maps node roles' EC2_LINUX access entries to it). */
const NODES_GROUP = 'system:nodes';

/** The taint of a dedicated tenant's nodes, as Kubernetes spells it (DedicatedNodes sets it through EKS). */
const TENANT_TAINT_EFFECT = 'NoSchedule';

const quote = (s: string) => `'${s}'`;

/**
 * A Node's claims as one string, `<pool>|<tenant>|<nodegroup>|<taints>`: the labels that draw
 * Pods to a pool or a tenant, the node group label, and the taints of those two keys (as
 * `key=value:effect`). Each part is a CEL string expression.
 */
function claim(pool: string, tenant: string, nodeGroup: string, taints: string): string {
  return [pool, tenant, nodeGroup, taints].join(" + '|' + ");
}

/** The claims `root` (`object` or `oldObject`) carries. */
function claimsOf(root: string): string {
  const label = (key: string) => `(has(${root}.metadata.labels) && '${key}' in ${root}.metadata.labels ? ${root}.metadata.labels['${key}'] : '')`;
  const taints =
    `(has(${root}.spec) && has(${root}.spec.taints) ? ${root}.spec.taints` +
    `.filter(t, t.key == '${POOL_LABEL}' || t.key == '${TENANT_LABEL}')` +
    `.map(t, t.key + '=' + (has(t.value) ? t.value : '') + ':' + t.effect).join(',') : '')`;
  return claim(label(POOL_LABEL), label(TENANT_LABEL), label(NODEGROUP_LABEL), taints);
}

/** The node groups of each shared pool, as eks-cluster names them. */
function poolNodeGroups(platform: PlatformSpec): { system: string[]; tenants: string[] } {
  const spot = splitTenantCapacity(platform.eks.nodeGroups.tenants).spot;
  return { system: ['system'], tenants: ['tenants', ...(spot ? [platformNames(platform).tenantsSpotNodeGroup] : [])] };
}

/**
 * What the Node admission of `platform` checks, the same document for every number of tenants:
 *
 * - a kubelet (group `system:nodes`) registers its Node with exactly the claims of the pool whose
 *   node role authenticated it, read from `request.userInfo.extra['canonicalArn']` (the role ARN
 *   without its path, which EKS's authenticator sets for every IAM principal): the system role
 *   the system pool's label, node group and taint; the shared tenants role its pool and node
 *   groups; `<prefix>-eks-node-tenant-<id>` tenant `<id>`'s label, node group and taint; any other
 *   role, or none (extra missing), no claim at all. A dedicated tenant's pipeline chooses its
 *   nodes' labels, taints and user data, but not the role they authenticate with;
 * - a kubelet never changes its Node's claims afterwards (whatever an operator set stays);
 * - nobody else adds or changes a Node's claims, but EKS's node manager, and it only to the claims
 *   of the node group the Node's (kubelet-registered) node group label names.
 *
 * The platform's operators and `system:masters` are not checked. Nodes without claims are always
 * admitted, and a kubelet's later updates only need its claims unchanged, so nothing here can make
 * a registered Node NotReady.
 */
export function nodeIdentityAdmissionSpec(platform: PlatformSpec): Record<string, unknown> {
  const names = platformNames(platform);
  const roleArn = (name: string) => `arn:${names.partition}:iam::${platform.aws.accountId}:role/${name}`;
  const tenantRolePrefix = roleArn(names.tenantNodeRole(''));
  const tenantGroupPrefix = names.tenantNodeGroup('');
  const groups = poolNodeGroups(platform);
  const systemTaint = `${SYSTEM_TAINT.key}=${SYSTEM_TAINT.value}:${SYSTEM_TAINT.effect}`;
  const systemClaims = `[${groups.system.map((g) => claim(quote('system'), "''", quote(g), quote(systemTaint))).join(', ')}]`;
  const tenantsClaims = `[${groups.tenants.map((g) => claim(quote('tenants'), "''", quote(g), "''")).join(', ')}]`;
  const tenantClaims = (id: string) =>
    `[${claim("''", id, `'${tenantGroupPrefix}' + ${id}`, `'${TENANT_LABEL}=' + ${id} + ':${TENANT_TAINT_EFFECT}'`)}]`;
  const list = (values: string[]) => `[${values.map(quote).join(', ')}]`;
  const reservedGroup = (g: string) =>
    `(${g} in ${list([...groups.system, ...groups.tenants])} || (${g}.startsWith('${tenantGroupPrefix}') && size(${g}) > ${tenantGroupPrefix.length}))`;
  return {
    failurePolicy: 'Fail',
    matchConstraints: {
      // The status subresource too: its updates keep the Node's spec, not its labels.
      resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['nodes', 'nodes/status'] }],
    },
    matchConditions: [
      {
        name: 'not-platform-operators',
        expression: `!('${PLATFORM_OPERATORS_GROUP}' in request.userInfo.groups) && !('system:masters' in request.userInfo.groups)`,
      },
    ],
    variables: [
      { name: 'kubelet', expression: `'${NODES_GROUP}' in request.userInfo.groups` },
      {
        name: 'role',
        expression:
          "has(request.userInfo.extra) && 'canonicalArn' in request.userInfo.extra && size(request.userInfo.extra['canonicalArn']) == 1 ? request.userInfo.extra['canonicalArn'][0] : ''",
      },
      { name: 'claims', expression: claimsOf('object') },
      { name: 'oldClaims', expression: `request.operation == 'UPDATE' ? ${claimsOf('oldObject')} : '|||'` },
      {
        name: 'nodeGroup',
        expression: `has(object.metadata.labels) && '${NODEGROUP_LABEL}' in object.metadata.labels ? object.metadata.labels['${NODEGROUP_LABEL}'] : ''`,
      },
      {
        name: 'oldNodeGroup',
        expression: `request.operation == 'UPDATE' && has(oldObject.metadata.labels) && '${NODEGROUP_LABEL}' in oldObject.metadata.labels ? oldObject.metadata.labels['${NODEGROUP_LABEL}'] : ''`,
      },
      // The claims the authenticated node role may register; empty: a role of no pool, which may register none.
      {
        name: 'roleClaims',
        expression:
          `variables.role == '${roleArn(names.systemNodeRole)}' ? ${systemClaims} : ` +
          `variables.role == '${roleArn(names.tenantsNodeRole)}' ? ${tenantsClaims} : ` +
          `variables.role.startsWith('${tenantRolePrefix}') && size(variables.role) > ${tenantRolePrefix.length} ? ${tenantClaims(`variables.role.substring(${tenantRolePrefix.length})`)} : []`,
      },
      // The claims of the node group a Node was registered in, which EKS's node manager may apply.
      {
        name: 'nodeGroupClaims',
        expression:
          `variables.oldNodeGroup in ${list(groups.system)} ? ${systemClaims} : ` +
          `variables.oldNodeGroup in ${list(groups.tenants)} ? ${tenantsClaims} : ` +
          `variables.oldNodeGroup.startsWith('${tenantGroupPrefix}') && size(variables.oldNodeGroup) > ${tenantGroupPrefix.length} ? ${tenantClaims(`variables.oldNodeGroup.substring(${tenantGroupPrefix.length})`)} : []`,
      },
    ],
    validations: [
      {
        expression:
          `!variables.kubelet || request.operation != 'CREATE' || (size(variables.roleClaims) > 0 ? variables.claims in variables.roleClaims : ` +
          `variables.claims == '||' + variables.nodeGroup + '|' && !${reservedGroup('variables.nodeGroup')})`,
        message: `a kubelet registers its Node with the pool labels (${POOL_LABEL}, ${TENANT_LABEL}, ${NODEGROUP_LABEL}) and taints of its own node role's pool only`,
      },
      {
        expression: `!variables.kubelet || request.operation != 'UPDATE' || variables.claims == variables.oldClaims`,
        message: `a kubelet never changes its Node's pool labels (${POOL_LABEL}, ${TENANT_LABEL}, ${NODEGROUP_LABEL}) or taints`,
      },
      {
        expression:
          `variables.kubelet || variables.claims == variables.oldClaims || ` +
          `(request.userInfo.username == '${EKS_NODE_MANAGER}' && variables.claims in variables.nodeGroupClaims)`,
        message: `only a Node's kubelet (at registration), EKS's node manager (its node group's own) and the platform operators set a Node's pool labels (${POOL_LABEL}, ${TENANT_LABEL}, ${NODEGROUP_LABEL}) and taints`,
      },
    ],
  };
}

/** The policy of nodeIdentityAdmissionSpec. */
export class NodeIdentityAdmission extends Construct {
  constructor(scope: Construct, id: string, props: NodeIdentityAdmissionProps) {
    super(scope, id);
    const name = platformNames(props.platform).nodeIdentityAdmissionPolicy;
    validatingAdmissionPolicy(this, 'admission-policy', { name, spec: nodeIdentityAdmissionSpec(props.platform), dependsOn: props.dependsOn });
  }
}
