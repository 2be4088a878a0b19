import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Testing, TerraformStack } from 'cdktf';
import { nodeTemplateTags } from '../../stacks/constructs/addons/cluster-autoscaler/asg-tags';
import { NodeGroup, type NodeGroupProps } from '../../stacks/constructs/eks/node-group';
import { resolveTenant } from '../../src/model/project';
import { tenantSchema } from '../../src/model/tenant-schema';
import { resolveTiers } from '../../src/model/tiers';
import { tenantRunStatements } from '../../stacks/constructs/tfc/tenant-run-permissions';
import { SynthJson, platformSpec } from '../util';

const base: NodeGroupProps = {
  clusterName: 'acme-prod',
  kubernetesVersion: '1.34',
  nodeGroupName: 'tenant-acme',
  nodeRoleArn: 'arn:aws:iam::111122223333:role/acme-prod-eks-node',
  subnetIds: ['subnet-a', 'subnet-b'],
  size: { instanceTypes: ['m6i.2xlarge'], minSize: 0, desiredSize: 0, maxSize: 4 },
  ebsKmsKeyArn: 'arn:aws:kms:eu-west-1:111122223333:key/ebs',
};

function synthGroup(props: Partial<NodeGroupProps> = {}) {
  const stack = new TerraformStack(Testing.app(), 'test');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  new NodeGroup(stack, 'nodes', { ...base, ...props });
  return SynthJson.parse(Testing.synth(stack));
}

/** The node-template tags as `key -> value`, each checked to sit on the group's ASG, unpropagated. */
function templateTags(json: SynthJson): Record<string, string> {
  const asg = `\${aws_eks_node_group.${json.idOf('aws_eks_node_group')}.resources[0].autoscaling_groups[0].name}`;
  const out: Record<string, string> = {};
  for (const t of Object.values(json.resources('aws_autoscaling_group_tag'))) {
    expect(t.autoscaling_group_name).toBe(asg);
    expect(t.tag.propagate_at_launch).toBe(false);
    out[t.tag.key] = t.tag.value;
  }
  return out;
}

describe('nodeTemplateTags', () => {
  test('spells labels as their value and taints as value:Effect in the Kubernetes spelling', () => {
    expect(
      nodeTemplateTags({ 'tenantctl.io/tenant': 'acme' }, [
        { key: 'a', value: '1', effect: 'NO_SCHEDULE' },
        { key: 'b', value: '2', effect: 'NO_EXECUTE' },
        { key: 'c', value: '3', effect: 'PREFER_NO_SCHEDULE' },
      ]),
    ).toEqual([
      { key: 'k8s.io/cluster-autoscaler/node-template/label/tenantctl.io/tenant', value: 'acme' },
      { key: 'k8s.io/cluster-autoscaler/node-template/taint/a', value: '1:NoSchedule' },
      { key: 'k8s.io/cluster-autoscaler/node-template/taint/b', value: '2:NoExecute' },
      { key: 'k8s.io/cluster-autoscaler/node-template/taint/c', value: '3:PreferNoSchedule' },
    ]);
  });
});

describe('NodeGroup: what Cluster Autoscaler needs to scale a group up from zero', () => {
  test('a labelled, tainted group (a dedicated tenant) tags its ASG with each label, its taint and its capacity type', () => {
    const json = synthGroup({
      labels: { 'tenantctl.io/tenant': 'acme' },
      taints: [{ key: 'tenantctl.io/tenant', value: 'acme', effect: 'NO_SCHEDULE' }],
    });
    expect(templateTags(json)).toEqual({
      'k8s.io/cluster-autoscaler/node-template/label/tenantctl.io/tenant': 'acme',
      'k8s.io/cluster-autoscaler/node-template/label/eks.amazonaws.com/capacityType': 'ON_DEMAND',
      'k8s.io/cluster-autoscaler/node-template/taint/tenantctl.io/tenant': 'acme:NoSchedule',
    });
  });

  test('a Spot group says SPOT, the label EKS puts on its nodes', () => {
    const json = synthGroup({ capacityType: 'SPOT', size: { instanceTypes: ['m6i.xlarge', 'm6a.xlarge'], minSize: 0, desiredSize: 0, maxSize: 4 } });
    expect(json.one('aws_eks_node_group').capacity_type).toBe('SPOT');
    expect(templateTags(json)).toEqual({ 'k8s.io/cluster-autoscaler/node-template/label/eks.amazonaws.com/capacityType': 'SPOT' });
  });

  test('the discovery tags are EKS own: the group does not write them', () => {
    const keys = Object.keys(templateTags(synthGroup({ labels: { a: 'b' } })));
    expect(keys.filter((k) => !k.startsWith('k8s.io/cluster-autoscaler/node-template/'))).toEqual([]);
  });

  test('does not put the capacity type among the node group labels (EKS sets it and reserves its prefix)', () => {
    expect(synthGroup({ labels: { a: 'b' } }).one('aws_eks_node_group').labels).toEqual({ a: 'b' });
  });
});

describe("a dedicated-nodes tenant's Terraform Cloud run role and its node group's tags", () => {
  const platform = platformSpec();
  const tenant = resolveTenant(tenantSchema.parse({ version: 1, id: 'acme', tier: 'enterprise' }), platform, resolveTiers(), 'acme.json');
  const statements = tenantRunStatements(platform, tenant, 'platform');
  const sid = (id: string) => statements.find((s) => s.Sid === id);

  test('may write and remove only node-template tags, only on the ASG EKS made for its own node group', () => {
    expect(sid('AutoscalingGroupTag')).toEqual({
      Sid: 'AutoscalingGroupTag',
      Effect: 'Allow',
      Action: ['autoscaling:CreateOrUpdateTags', 'autoscaling:DeleteTags'],
      Resource: ['arn:aws:autoscaling:eu-west-1:111122223333:autoScalingGroup:*:autoScalingGroupName/*'],
      Condition: {
        StringEquals: { 'aws:ResourceTag/eks:cluster-name': 'acme-prod', 'aws:ResourceTag/eks:nodegroup-name': 'tenant-acme' },
        'ForAllValues:StringLike': { 'aws:TagKeys': ['k8s.io/cluster-autoscaler/node-template/*'] },
      },
    });
  });

  test('may read ASG tags (Terraform refreshes them; DescribeTags has no resource-level permissions)', () => {
    expect(sid('DescribeWithoutResourceLevel')).toMatchObject({ Resource: ['*'], Action: expect.arrayContaining(['autoscaling:DescribeTags']) });
  });

  test("may find the STS endpoint's addresses for its egress policy (endpoint and interface Describe calls have no resource level)", () => {
    expect(sid('DescribeWithoutResourceLevel')).toMatchObject({
      Resource: ['*'],
      Action: expect.arrayContaining(['ec2:DescribeVpcEndpointServices', 'ec2:DescribeVpcEndpoints', 'ec2:DescribeNetworkInterfaces']),
    });
  });
});
