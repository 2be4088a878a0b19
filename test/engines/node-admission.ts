import { PLATFORM_OPERATORS_GROUP } from '../../src/model/names';
import { eksTaintEffect } from '../../src/model/node-pools';
import { EKS_NODE_MANAGER } from '../../stacks/constructs/kubernetes/node-identity-admission';
import { NODEGROUP_LABEL } from '../../stacks/constructs/eks/node-group';
import type { AdmissionCase } from './admission';
import type { TerraformJson } from './aws-only';
import type { Stack } from './fixtures';

/**
 * The Node identity cases of one fixture: a Node of every node group the fixture's stacks declare,
 * as its kubelet registers it (the group's labels and taints, EKS's node group label) with the
 * identity EKS's authenticator gives the group's node role, then the same Nodes claimed by the
 * wrong role, by no role, changed by a kubelet, by other writers, by EKS's node manager and by
 * the platform's operators.
 */

interface NodeGroupShape {
  readonly stack: string;
  readonly name: string;
  readonly roleArn: string;
  readonly labels: Record<string, string>;
  readonly taints: { key: string; value: string; effect: string }[];
}

const kubernetesEffect = (eks: string) => (['NoSchedule', 'NoExecute', 'PreferNoSchedule'] as const).find((e) => eksTaintEffect(e) === eks) ?? eks;

/** Every managed node group of the fixture, its node role resolved to the ARN EKS sees. */
function nodeGroups(stacks: readonly Stack[], account: string): NodeGroupShape[] {
  return stacks.flatMap((stack) =>
    Object.values<TerraformJson>(stack.json.resource?.aws_eks_node_group ?? {}).map((g) => {
      const ref = /^\$\{(data\.)?aws_iam_role\.([^.]+)\.arn\}$/.exec(g.node_role_arn);
      if (!ref) throw new Error(`${stack.id}: node group ${g.node_group_name} has no node role reference: ${g.node_role_arn}`);
      const role = ref[1] ? stack.json.data?.aws_iam_role?.[ref[2]] : stack.json.resource?.aws_iam_role?.[ref[2]];
      return {
        stack: stack.name,
        name: g.node_group_name,
        roleArn: `arn:aws:iam::${account}:role/${role.name}`,
        labels: g.labels ?? {},
        taints: (g.taint ?? []).map((t: TerraformJson) => ({ key: t.key, value: t.value, effect: kubernetesEffect(t.effect) })),
      };
    }),
  );
}

/** The Node a kubelet of `group` registers. */
function node(group: Pick<NodeGroupShape, 'name' | 'labels' | 'taints'>, name = 'ip-10-0-1-10.ec2.internal'): TerraformJson {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { ...group.labels, [NODEGROUP_LABEL]: group.name, 'kubernetes.io/hostname': name } },
    spec: { taints: group.taints },
  };
}

/** The identity EKS's authenticator gives a kubelet of `roleArn` (instance `i-0abc`); no extra when the role is undefined. */
function kubelet(roleArn: string | undefined): TerraformJson {
  return {
    username: 'system:node:ip-10-0-1-10.ec2.internal',
    groups: ['system:bootstrappers', 'system:nodes', 'system:authenticated'],
    ...(roleArn
      ? {
          extra: {
            accessKeyId: ['ASIAEXAMPLE'],
            arn: [roleArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/') + '/i-0abc'],
            canonicalArn: [roleArn],
            principalId: ['AROAEXAMPLE'],
            sessionName: ['i-0abc'],
          },
        }
      : {}),
  };
}

export function nodeAdmissionCases(stacks: readonly Stack[], policy: string, account: string): AdmissionCase[] {
  const groups = nodeGroups(stacks, account);
  const system = groups.find((g) => g.name === 'system');
  if (!system) throw new Error(`${stacks[0].id}: node identity cases need the system node group`);
  const cases: AdmissionCase[] = [];
  const add = (name: string, operation: string, userInfo: TerraformJson, object: TerraformJson, oldObject: TerraformJson | null, allowed: boolean) =>
    cases.push({
      name: `nodes: ${name}`,
      policy,
      request: { operation, name: object.metadata.name, namespace: '', resource: { group: '', resource: 'nodes' }, userInfo },
      object,
      oldObject,
      allowed,
    });
  const relabel = (o: TerraformJson, labels: Record<string, string>) => ({
    ...o,
    metadata: { ...o.metadata, labels: { ...o.metadata.labels, ...labels } },
  });
  const asSystem = (o: TerraformJson) => relabel(o, { 'tenantctl.io/pool': 'system' });
  const systemNode = node(system);

  // Every node group's Nodes, as their kubelets register and update them.
  for (const g of groups) {
    add(`${g.stack} ${g.name}: its kubelet registers its Node`, 'CREATE', kubelet(g.roleArn), node(g), null, true);
    add(`${g.stack} ${g.name}: its kubelet updates its Node's status`, 'UPDATE', kubelet(g.roleArn), node(g), node(g), true);
  }

  // Claims another role's pool, or no role's.
  const tenants = groups.find((g) => g.name === 'tenants');
  if (tenants) add('the shared tenants role registering a system Node', 'CREATE', kubelet(tenants.roleArn), systemNode, null, false);
  add(
    'a kubelet of no known role registering a system Node',
    'CREATE',
    kubelet(`arn:aws:iam::${account}:role/someone-else`),
    systemNode,
    null,
    false,
  );
  add('a kubelet without the authenticator extra registering a system Node', 'CREATE', kubelet(undefined), systemNode, null, false);
  const unclaimed = node({ name: 'self-managed', labels: {}, taints: [] });
  add('a kubelet without the authenticator extra registering a Node without claims', 'CREATE', kubelet(undefined), unclaimed, null, true);
  add(
    "the system kubelet relabelling its Node into a tenant's",
    'UPDATE',
    kubelet(system.roleArn),
    relabel(systemNode, { 'tenantctl.io/tenant': 'globex' }),
    systemNode,
    false,
  );

  // Other writers.
  const controller = { username: 'system:serviceaccount:tenant-globex:app', groups: ['system:serviceaccounts', 'system:authenticated'] };
  add('a service account removing the system taint', 'UPDATE', controller, { ...systemNode, spec: { taints: [] } }, systemNode, false);
  add('a service account creating a Node that claims the system pool', 'CREATE', controller, systemNode, null, false);
  const unreachable = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };
  add(
    'the node lifecycle controller tainting a Node unreachable',
    'UPDATE',
    { username: 'system:serviceaccount:kube-system:node-controller', groups: ['system:serviceaccounts', 'system:authenticated'] },
    { ...systemNode, spec: { taints: [...system.taints, unreachable] } },
    systemNode,
    true,
  );
  const operator = { username: 'operator', groups: [PLATFORM_OPERATORS_GROUP, 'system:authenticated'] };
  add('the platform operators tainting a Node', 'UPDATE', operator, { ...systemNode, spec: { taints: [] } }, systemNode, true);

  // A dedicated tenant's node role, where the fixture has one.
  const dedicated = groups.find((g) => g.labels['tenantctl.io/tenant']);
  if (!dedicated) return cases;
  const role = kubelet(dedicated.roleArn);
  const own = node(dedicated);
  const id = dedicated.labels['tenantctl.io/tenant'];
  add(
    `tenant ${id}'s role registering a Node with the system labels and taint`,
    'CREATE',
    role,
    node({ ...dedicated, labels: { 'tenantctl.io/pool': 'system' }, taints: system.taints }),
    null,
    false,
  );
  add(`tenant ${id}'s role registering a Node in the system node group`, 'CREATE', role, node({ ...dedicated, name: 'system' }), null, false);
  add(`tenant ${id}'s role registering its own Node with the system pool label too`, 'CREATE', role, asSystem(own), null, false);
  const globex = node({
    name: 'tenant-globex',
    labels: { 'tenantctl.io/tenant': 'globex' },
    taints: [{ key: 'tenantctl.io/tenant', value: 'globex', effect: 'NoSchedule' }],
  });
  add(`tenant ${id}'s role registering tenant globex's Node`, 'CREATE', role, globex, null, false);
  add(`tenant ${id}'s kubelet labelling its existing Node system`, 'UPDATE', role, asSystem(own), own, false);
  const pipeline = { username: 'pipeline', groups: ['tenantctl:tenant-deployers', `tenantctl:tenant:${id}`, 'system:authenticated'] };
  add(`tenant ${id}'s pipeline relabelling its Node system`, 'UPDATE', pipeline, asSystem(own), own, false);
  add('the platform operators relabelling a Node', 'UPDATE', operator, asSystem(own), own, true);
  const nodeManager = { username: EKS_NODE_MANAGER, groups: ['system:authenticated'] };
  const bare = node({ ...dedicated, labels: {}, taints: [] });
  add("EKS's node manager applying the node group's own labels and taint", 'UPDATE', nodeManager, own, bare, true);
  add(
    "EKS's node manager applying the system labels to a tenant's Node",
    'UPDATE',
    nodeManager,
    node({ ...dedicated, labels: { 'tenantctl.io/pool': 'system' }, taints: system.taints }),
    bare,
    false,
  );
  return cases;
}
