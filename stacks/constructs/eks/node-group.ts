import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { Token, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import type { NodeGroupSize } from '../../../src/config/tiers';

export interface NodeGroupProps {
  readonly clusterName: string;
  readonly nodeGroupName: string;
  readonly nodeRoleArn: string;
  /** Private subnets: they assign no public IPs, so nodes get none. */
  readonly subnetIds: string[];
  readonly size: NodeGroupSize;
  /**
   * Kubernetes labels of the nodes.
   * @default - no labels beyond the EKS ones
   */
  readonly labels?: Record<string, string>;
  /**
   * Taints of the nodes (EKS API spelling of the effect).
   * @default - no taints
   */
  readonly taints?: { key: string; value: string; effect: 'NO_SCHEDULE' | 'NO_EXECUTE' | 'PREFER_NO_SCHEDULE' }[];
  /** KMS key of the nodes' root volumes. */
  readonly ebsKmsKeyArn: string;
  /**
   * Resources the node group must wait for (the node role's policy attachments, the CNI add-on).
   * @default - none beyond the references in the props
   */
  readonly dependsOn?: ITerraformDependable[];
}

/** Root volume of each node: images and emptyDirs live here. */
const ROOT_VOLUME_GIB = 50;
/** Root device of the EKS-optimised Amazon Linux 2023 AMIs. */
const ROOT_DEVICE = '/dev/xvda';

/**
 * An EKS managed node group on Amazon Linux 2023 with its own launch template: IMDSv2 only with
 * a hop limit of 1, so Pods cannot reach the instance metadata service and borrow the node role
 * (they get AWS credentials through IRSA), and an encrypted gp3 root volume with the platform's
 * EBS key. The cluster autoscaler owns the desired size, so Terraform does not reset it.
 */
export class NodeGroup extends Construct {
  readonly nodeGroup: EksNodeGroup;

  constructor(scope: Construct, id: string, props: NodeGroupProps) {
    super(scope, id);
    const amiType = validate(props);
    const name = `${props.clusterName}-${props.nodeGroupName}`;

    const launchTemplate = new LaunchTemplate(this, 'launch-template', {
      name,
      description: `EKS managed node group ${props.nodeGroupName}: IMDSv2, encrypted root volume`,
      updateDefaultVersion: true,
      metadataOptions: {
        httpEndpoint: 'enabled',
        httpTokens: 'required',
        httpPutResponseHopLimit: 1,
        instanceMetadataTags: 'disabled',
      },
      blockDeviceMappings: [
        {
          deviceName: ROOT_DEVICE,
          ebs: {
            volumeSize: ROOT_VOLUME_GIB,
            volumeType: 'gp3',
            encrypted: 'true',
            kmsKeyId: props.ebsKmsKeyArn,
            deleteOnTermination: 'true',
          },
        },
      ],
      monitoring: { enabled: true },
      tagSpecifications: ['instance', 'volume'].map((resourceType) => ({ resourceType, tags: { Name: name } })),
      tags: { Name: name },
    });

    this.nodeGroup = new EksNodeGroup(this, 'node-group', {
      clusterName: props.clusterName,
      nodeGroupName: props.nodeGroupName,
      nodeRoleArn: props.nodeRoleArn,
      subnetIds: props.subnetIds,
      amiType,
      capacityType: 'ON_DEMAND',
      instanceTypes: props.size.instanceTypes,
      scalingConfig: { minSize: props.size.minSize, desiredSize: props.size.desiredSize, maxSize: props.size.maxSize },
      updateConfig: { maxUnavailable: 1 },
      launchTemplate: { id: launchTemplate.id, version: Token.asString(launchTemplate.latestVersion) },
      labels: props.labels,
      taint: props.taints,
      tags: { Name: name },
      lifecycle: { ignoreChanges: ['scaling_config[0].desired_size'] },
      dependsOn: props.dependsOn,
    });
  }
}

/** Graviton families carry a `g` after the generation digit: m7g, c7gn, r8g, t4g. */
export const ARM_FAMILY = /^[a-z]+\d+g[a-z]*\./;

/** Checks the props and returns the AMI type the instance types need. */
function validate(props: NodeGroupProps): 'AL2023_ARM_64_STANDARD' | 'AL2023_x86_64_STANDARD' {
  const { size, nodeGroupName } = props;
  if (!(size.minSize <= size.desiredSize && size.desiredSize <= size.maxSize)) {
    throw new Error(`node group ${nodeGroupName} needs minSize <= desiredSize <= maxSize, got ${size.minSize} <= ${size.desiredSize} <= ${size.maxSize}`);
  }
  if (size.instanceTypes.length === 0) throw new Error(`node group ${nodeGroupName} needs at least one instance type`);
  if (props.subnetIds.length === 0) throw new Error(`node group ${nodeGroupName} needs at least one subnet`);
  const arm = size.instanceTypes.filter((t) => ARM_FAMILY.test(t));
  if (arm.length > 0 && arm.length < size.instanceTypes.length) {
    throw new Error(`node group ${nodeGroupName} mixes Graviton (${arm.join(', ')}) and x86 instance types: one AMI serves one architecture, use one or the other`);
  }
  return arm.length > 0 ? 'AL2023_ARM_64_STANDARD' : 'AL2023_x86_64_STANDARD';
}
