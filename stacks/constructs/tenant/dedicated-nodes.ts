import { DataAwsIamRole } from '@cdktf/provider-aws/lib/data-aws-iam-role';
import { DataAwsKmsKey } from '@cdktf/provider-aws/lib/data-aws-kms-key';
import { Construct } from 'constructs';
import { TENANT_LABEL } from '../../../src/model/labels';
import { platformNames } from '../../../src/model/names';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import type { TenantSpec } from '../../../src/model/project';
import { NodeGroup } from '../eks/node-group';
import { nodeRole } from '../eks/node-role';

/** Label and taint key that tie a tenant's Pods to its dedicated nodes. */
export const TENANT_NODE_KEY = TENANT_LABEL;

export interface DedicatedNodesProps {
  readonly platform: PlatformSpec;
  /** A tenant whose tier has `nodes.isolation: dedicated`. */
  readonly tenant: TenantSpec;
  readonly clusterName: string;
  /** The cluster's Kubernetes version (its lookup's): the nodes follow the control plane's upgrades. */
  readonly kubernetesVersion: string;
  readonly privateSubnetIds: string[];
}

/**
 * A managed node group only this tenant's Pods run on: its nodes carry the tenant's label (Pods
 * are steered there by a node selector) and taint (everyone else's Pods stay away). Its node role
 * is the tenant's own, so the cluster knows a kubelet as this tenant's (NodeIdentityAdmission): with
 * Terraform Cloud the bootstrap stack owns it and this stack only finds it by name (its pipeline
 * may pass that role and no other); without, the operator applies this stack and it creates the
 * role itself. The EBS key is found by its alias, so the tenant stack needs no platform state.
 */
export class DedicatedNodes extends Construct {
  /** Node labels of the tenant's dedicated nodes. */
  static labels(tenant: Pick<TenantSpec, 'id'>): Record<string, string> {
    return { [TENANT_NODE_KEY]: tenant.id };
  }

  /** Taint of the tenant's dedicated nodes (EKS API spelling of the effect). */
  static taint(tenant: Pick<TenantSpec, 'id'>): { key: string; value: string; effect: 'NO_SCHEDULE' } {
    return { key: TENANT_NODE_KEY, value: tenant.id, effect: 'NO_SCHEDULE' };
  }

  readonly nodeGroup: NodeGroup;

  constructor(scope: Construct, id: string, props: DedicatedNodesProps) {
    super(scope, id);
    const { platform, tenant } = props;
    const nodes = tenant.tierSpec.nodes;
    if (nodes.isolation !== 'dedicated') {
      throw new Error(
        `tenant ${tenant.id} (tier ${tenant.tier}) has nodes.isolation "${nodes.isolation}": dedicated nodes need a tier with ` +
          `nodes.isolation "dedicated"`,
      );
    }
    const names = platformNames(platform);

    const roleName = tenant.names.nodeRole;
    const role = platform.terraformCloud
      ? { arn: new DataAwsIamRole(this, 'node-role', { name: roleName }).arn, dependsOn: [] }
      : ownNodeRole(this, roleName, tenant.id, names.partition);
    const ebsKey = new DataAwsKmsKey(this, 'ebs-key', { keyId: names.kmsAlias('ebs') });

    this.nodeGroup = new NodeGroup(this, 'node-group', {
      clusterName: props.clusterName,
      kubernetesVersion: props.kubernetesVersion,
      nodeGroupName: tenant.names.nodeGroup,
      nodeRoleArn: role.arn,
      subnetIds: props.privateSubnetIds,
      size: nodes.nodeGroup,
      labels: DedicatedNodes.labels(tenant),
      taints: [DedicatedNodes.taint(tenant)],
      ebsKmsKeyArn: ebsKey.arn,
      dependsOn: role.dependsOn,
    });
  }
}

/** The tenant's node role, created by its own stack (no Terraform Cloud: no bootstrap stack owns it). */
function ownNodeRole(scope: Construct, name: string, tenantId: string, partition: string) {
  const { role, attachments } = nodeRole(scope, {
    id: 'node-role',
    attachmentIdPrefix: 'node-role-',
    name,
    description: `EKS managed nodes dedicated to tenant ${tenantId}`,
    partition,
  });
  return { arn: role.arn, dependsOn: attachments };
}
