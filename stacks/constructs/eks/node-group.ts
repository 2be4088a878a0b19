import { AutoscalingGroupTagA } from '@cdktf/provider-aws/lib/autoscaling-group-tag';
import { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { Token, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { ec2Architecture } from '../../../src/model/instance-types';
import { nodeGroupProblems, type NodeGroupSize } from '../../../src/model/tiers';
import { NODE_TEMPLATE_TAG_PREFIX, nodeTemplateTags, type EksTaintEffect } from '../addons/cluster-autoscaler/asg-tags';

export type CapacityType = 'ON_DEMAND' | 'SPOT';

/** Label EKS puts on every managed node: `ON_DEMAND` or `SPOT`. */
export const CAPACITY_TYPE_LABEL = 'eks.amazonaws.com/capacityType';

/** Label EKS puts on every managed node: the name of its node group. */
export const NODEGROUP_LABEL = 'eks.amazonaws.com/nodegroup';

export interface NodeGroupProps {
  readonly clusterName: string;
  /**
   * The cluster's Kubernetes version, as a reference to the cluster: EKS refuses the next control
   * plane upgrade while managed nodes lag a minor behind, so the nodes follow every upgrade (after it).
   */
  readonly kubernetesVersion: string;
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
  readonly taints?: { key: string; value: string; effect: EksTaintEffect }[];
  /**
   * Purchase option of the nodes. Spot nodes are drained by EKS on a rebalance recommendation
   * or an interruption notice; give a Spot group several instance types of one size.
   * @default 'ON_DEMAND'
   */
  readonly capacityType?: CapacityType;
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
 * EBS key. Cluster Autoscaler owns the desired size, so Terraform does not reset it; the group's
 * Auto Scaling group carries node-template tags of its labels and taints, so the autoscaler can
 * scale it up from zero nodes.
 */
export class NodeGroup extends Construct {
  readonly nodeGroup: EksNodeGroup;

  constructor(scope: Construct, id: string, props: NodeGroupProps) {
    super(scope, id);
    const amiType = validate(props);
    const name = `${props.clusterName}-${props.nodeGroupName}`;
    const capacityType = props.capacityType ?? 'ON_DEMAND';

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
      version: props.kubernetesVersion,
      nodeGroupName: props.nodeGroupName,
      nodeRoleArn: props.nodeRoleArn,
      subnetIds: props.subnetIds,
      amiType,
      capacityType,
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

    // EKS tags the group's Auto Scaling group for discovery only; labels (with the capacity type
    // EKS sets on every node) and taints are ours to describe. Not propagated: nodes get them
    // from the node group itself.
    const asgName = this.nodeGroup.resources.get(0).autoscalingGroups.get(0).name;
    for (const tag of nodeTemplateTags({ ...props.labels, [CAPACITY_TYPE_LABEL]: capacityType }, props.taints ?? [])) {
      const id = `node-template-${tag.key.slice(NODE_TEMPLATE_TAG_PREFIX.length).replace(/[^A-Za-z0-9]+/g, '-')}`;
      new AutoscalingGroupTagA(this, id, {
        autoscalingGroupName: asgName,
        tag: { key: tag.key, value: tag.value, propagateAtLaunch: false },
      });
    }
  }
}

/** Checks the props and returns the AMI type the instance types need. */
function validate(props: NodeGroupProps): 'AL2023_ARM_64_STANDARD' | 'AL2023_x86_64_STANDARD' {
  const { size, nodeGroupName } = props;
  // The schemas check the same rules on platform.json and the tiers (nodeGroupProblems), so this
  // only guards sizes built by code.
  const [problem] = nodeGroupProblems(size);
  if (problem) throw new Error(`node group ${nodeGroupName} ${problem.message}`);
  if (size.instanceTypes.length === 0) throw new Error(`node group ${nodeGroupName} needs at least one instance type`);
  if (props.subnetIds.length === 0) throw new Error(`node group ${nodeGroupName} needs at least one subnet`);
  return ec2Architecture(size.instanceTypes[0]) === 'arm64' ? 'AL2023_ARM_64_STANDARD' : 'AL2023_x86_64_STANDARD';
}
