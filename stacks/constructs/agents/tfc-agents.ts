import { AutoscalingGroup } from '@cdktf/provider-aws/lib/autoscaling-group';
import { DataAwsDefaultTags } from '@cdktf/provider-aws/lib/data-aws-default-tags';
import { DataAwsKmsKey } from '@cdktf/provider-aws/lib/data-aws-kms-key';
import { DataAwsSecretsmanagerSecret } from '@cdktf/provider-aws/lib/data-aws-secretsmanager-secret';
import { IamInstanceProfile } from '@cdktf/provider-aws/lib/iam-instance-profile';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { LaunchTemplate } from '@cdktf/provider-aws/lib/launch-template';
import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupEgressRule } from '@cdktf/provider-aws/lib/vpc-security-group-egress-rule';
import { Fn, Token } from 'cdktf';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { platformNames } from '../../../src/model/names';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import { agentArchitecture, amazonLinuxImageId } from './tfc-agent-release';
import { AGENT_DRAIN_SECONDS, agentUserData } from './user-data';
import { policyDocument, servicePrincipalTrust } from '../iam/documents';
import { awsManagedPolicyArn } from '../iam/arns';

export interface TfcAgentsProps {
  /** Names, region, `terraformCloud.hostname` and the resolved `terraformCloud.agents` (instance type, count). */
  readonly platform: PlatformSpec;
  readonly vpcId: string;
  /** Private subnets, one per AZ: they route to the internet through NAT and assign no public IPs. */
  readonly subnetIds: string[];
  /** KMS key of the root volumes; its policy must let the Auto Scaling service-linked role use it. */
  readonly ebsKmsKeyArn: string;
  /** Security group of the EKS private API endpoint: the one destination inside the VPC the agents call. */
  readonly clusterApiSecurityGroupId: string;
  /**
   * What gives the private subnets their way out (NAT routes, the S3 gateway endpoint): an agent
   * that boots before it cannot install tfc-agent and would idle forever with no error.
   */
  readonly egress: ITerraformDependable[];
}

const HTTPS = 443;
/** Terraform binaries, providers and each run's working copy live here; the AL2023 AMI's 8 GiB is too little. */
const ROOT_VOLUME_GIB = 30;
/** Root device of the Amazon Linux 2023 AMIs. */
const ROOT_DEVICE = '/dev/xvda';
/** Replacements launch the new agent before draining the old one, so capacity never drops. */
const MIN_HEALTHY_PERCENT = 100;
const MAX_HEALTHY_PERCENT = 200;

/**
 * Terraform Cloud agents inside the VPC, for the runs that call the cluster's private API: an
 * Auto Scaling group of `terraformCloud.agents.count` Amazon Linux 2023 instances in the private
 * subnets, each running one tfc-agent (one run at a time). No public IP, no SSH (Session Manager
 * only), IMDSv2 with a hop limit of 1, an encrypted root volume, and egress on HTTPS only.
 *
 * The pool token is read at each start from the Secrets Manager secret the workspaces stack
 * creates and fills (AgentTokenSecret), found here by name: that stack is applied first. The
 * instance role can read that secret and talk to Session Manager, nothing else: runs get AWS
 * credentials from their workspace's dynamic credentials (TFC_AWS_* variables), never from the
 * instance, whose metadata service the agent's processes cannot reach.
 *
 * Replacing an agent (a launch template change, an instance refresh, a scale-in) does not cut a
 * run short: a termination lifecycle hook keeps the instance until the agent has finished its
 * run (up to AGENT_DRAIN_SECONDS), and the agent powers the instance off itself.
 */
export class TfcAgents extends Construct {
  readonly autoScalingGroup: AutoscalingGroup;
  /** The agents' security group: a source the cluster API's security group can admit by reference. */
  readonly securityGroupId: string;

  constructor(scope: Construct, id: string, props: TfcAgentsProps) {
    super(scope, id);
    const { platform } = props;
    const tfc = platform.terraformCloud;
    const agents = tfc?.agents;
    if (!tfc || !agents) throw new Error('TfcAgents needs terraformCloud in platform.json without an agentPool (then tenantctl runs its own agents)');
    if (props.subnetIds.length === 0) throw new Error('TfcAgents needs at least one private subnet');
    const names = platformNames(platform);
    const { region } = platform.aws;
    const architecture = agentArchitecture(agents.instanceType);

    const tokenSecret = new DataAwsSecretsmanagerSecret(this, 'token-secret', { name: names.terraformAgentTokenSecret });
    const tokenKey = new DataAwsKmsKey(this, 'token-key', { keyId: names.terraformAgentTokenKmsAlias });

    const securityGroup = new SecurityGroup(this, 'security-group', {
      name: names.terraformAgents,
      description: 'Terraform Cloud agents: no inbound, HTTPS out',
      vpcId: props.vpcId,
      tags: { Name: names.terraformAgents },
    });
    this.securityGroupId = securityGroup.id;
    // DNS (the VPC resolver) and NTP (Amazon Time Sync) are not filtered by security groups.
    new VpcSecurityGroupEgressRule(this, 'egress-https', {
      securityGroupId: securityGroup.id,
      description:
        `HTTPS to ${tfc.hostname}, releases.hashicorp.com, the Terraform and Helm registries and AWS APIs (through NAT or the ` + `VPC endpoints)`,
      ipProtocol: 'tcp',
      fromPort: HTTPS,
      toPort: HTTPS,
      cidrIpv4: '0.0.0.0/0',
    });
    // Covered by the rule above today; named so the agents' path to the cluster outlives a
    // narrower internet egress (a proxy or prefix list) and reads in the console.
    new VpcSecurityGroupEgressRule(this, 'egress-cluster-api', {
      securityGroupId: securityGroup.id,
      description: 'Kubernetes API of the cluster (private endpoint)',
      ipProtocol: 'tcp',
      fromPort: HTTPS,
      toPort: HTTPS,
      referencedSecurityGroupId: props.clusterApiSecurityGroupId,
    });

    const role = new IamRole(this, 'role', {
      name: names.terraformAgentRole,
      description: 'Terraform Cloud agents: read the pool token, Session Manager. Runs use their own dynamic credentials.',
      assumeRolePolicy: servicePrincipalTrust('ec2.amazonaws.com'),
    });
    new IamRolePolicyAttachment(this, 'session-manager', {
      role: role.name,
      policyArn: awsManagedPolicyArn(names.partition, 'AmazonSSMManagedInstanceCore'),
    });
    new IamRolePolicy(this, 'read-token', {
      name: 'read-agent-token',
      role: role.name,
      policy: policyDocument([
        { Sid: 'ReadAgentToken', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [tokenSecret.arn] },
        {
          Sid: 'DecryptAgentTokenThroughSecretsManager',
          Effect: 'Allow',
          Action: ['kms:Decrypt'],
          Resource: [tokenKey.arn],
          Condition: {
            StringEquals: { 'kms:ViaService': `secretsmanager.${region}.amazonaws.com` },
            ArnEquals: { 'kms:EncryptionContext:SecretARN': tokenSecret.arn },
          },
        },
      ]),
    });
    const profile = new IamInstanceProfile(this, 'instance-profile', { name: names.terraformAgentRole, role: role.name });

    // Instances and volumes launched by Auto Scaling carry no provider default tags unless given them.
    const defaultTags = new DataAwsDefaultTags(this, 'default-tags');
    const launchTags = Token.asStringMap(Fn.merge([defaultTags.tags, { Name: names.terraformAgents }]));
    const launchTemplate = new LaunchTemplate(this, 'launch-template', {
      name: names.terraformAgents,
      description: `Terraform Cloud agents (tfc-agent on Amazon Linux 2023, ${architecture.ami})`,
      updateDefaultVersion: true,
      imageId: amazonLinuxImageId(architecture),
      instanceType: agents.instanceType,
      iamInstanceProfile: { arn: profile.arn },
      // The agent powers its instance off once drained: that must end the instance, not stop it.
      instanceInitiatedShutdownBehavior: 'terminate',
      metadataOptions: {
        httpEndpoint: 'enabled',
        httpTokens: 'required',
        // The agent host's own processes read the metadata; nothing on it runs containers.
        httpPutResponseHopLimit: 1,
        httpProtocolIpv6: 'disabled',
        instanceMetadataTags: 'disabled',
      },
      blockDeviceMappings: [
        {
          deviceName: ROOT_DEVICE,
          ebs: { volumeSize: ROOT_VOLUME_GIB, volumeType: 'gp3', encrypted: 'true', kmsKeyId: props.ebsKmsKeyArn, deleteOnTermination: 'true' },
        },
      ],
      networkInterfaces: [{ deviceIndex: 0, associatePublicIpAddress: 'false', deleteOnTermination: 'true', securityGroups: [securityGroup.id] }],
      userData: Buffer.from(
        agentUserData({ hostname: tfc.hostname, region, tokenSecretName: names.terraformAgentTokenSecret, architecture }),
      ).toString('base64'),
      tagSpecifications: ['instance', 'volume', 'network-interface'].map((resourceType) => ({ resourceType, tags: launchTags })),
      tags: { Name: names.terraformAgents },
    });

    const healthy = { minHealthyPercentage: MIN_HEALTHY_PERCENT, maxHealthyPercentage: MAX_HEALTHY_PERCENT };
    this.autoScalingGroup = new AutoscalingGroup(this, 'auto-scaling-group', {
      name: names.terraformAgents,
      vpcZoneIdentifier: props.subnetIds,
      minSize: agents.count,
      maxSize: agents.count,
      desiredCapacity: agents.count,
      launchTemplate: { id: launchTemplate.id, version: Token.asString(launchTemplate.latestVersion) },
      healthCheckType: 'EC2',
      instanceMaintenancePolicy: healthy,
      // A new launch template version (agent upgrade, size change) rolls the agents, draining each.
      instanceRefresh: { strategy: 'Rolling', preferences: healthy },
      initialLifecycleHook: [
        {
          name: 'drain-agent',
          lifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
          heartbeatTimeout: AGENT_DRAIN_SECONDS,
          defaultResult: 'CONTINUE',
        },
      ],
      tag: [{ key: 'Name', value: names.terraformAgents, propagateAtLaunch: false }],
      dependsOn: props.egress,
    });
  }
}
