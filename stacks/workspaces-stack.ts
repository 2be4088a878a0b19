import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { DataTfeAgentPool } from '@cdktf/provider-tfe/lib/data-tfe-agent-pool';
import { DataTfeTeam } from '@cdktf/provider-tfe/lib/data-tfe-team';
import { DataTfeWorkspace } from '@cdktf/provider-tfe/lib/data-tfe-workspace';
import { Project as TfeProject } from '@cdktf/provider-tfe/lib/project';
import { TfeProvider } from '@cdktf/provider-tfe/lib/provider';
import { TeamProjectAccess } from '@cdktf/provider-tfe/lib/team-project-access';
import { Variable } from '@cdktf/provider-tfe/lib/variable';
import { Workspace } from '@cdktf/provider-tfe/lib/workspace';
import { WorkspaceSettings } from '@cdktf/provider-tfe/lib/workspace-settings';
import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import type { PlatformSpec } from '../src/model/platform-schema';
import type { Project } from '../src/model/project';
import {
  PLATFORM_CREDENTIALS_TAG,
  accountNames,
  credentialAccounts,
  projectStacks,
  tfcRoleArn,
  workspaceFor,
  type StackInfo,
} from '../src/model/workspaces';
import { AgentTokenSecret } from './constructs/agents/agent-token-secret';
import { AGENT_STACK_KINDS, TfcAgentPool } from './constructs/agents/tfc-agent-pool';
import { awsProviderConfig, configureBackend } from './constructs/tenantctl-stack';

export interface WorkspacesStackProps {
  readonly project: Project;
}

/**
 * The Terraform Cloud side of the project: one project per AWS account and one workspace per
 * stack (except this one, which an operator creates once), in the project of the account the
 * stack deploys into. Runs get dynamic AWS credentials for their own run role (created by the
 * account's bootstrap stack), never static keys. Each workspace is built from its stack alone, so
 * adding a tenant adds its workspace and leaves every other definition unchanged.
 */
export class WorkspacesStack extends TerraformStack {
  constructor(scope: Construct, props: WorkspacesStackProps) {
    super(scope, 'workspaces');
    const { platform } = props.project;
    const tfc = platform.terraformCloud;
    if (!tfc) throw new Error('WorkspacesStack needs terraformCloud in platform.json');
    // The API token comes from the TFE_TOKEN environment variable of this stack's own workspace.
    new TfeProvider(this, 'tfe', { hostname: tfc.hostname, organization: tfc.organization });
    configureBackend(this, platform, 'workspaces', 'platform');

    // The workflow's team needs the projects this stack creates; granting it here saves a manual step per account.
    const ciTeam = tfc.ciTeam ? new DataTfeTeam(this, 'ci-team', { name: tfc.ciTeam, organization: tfc.organization }) : undefined;
    const projects = new Map<string, TfeProject>();
    for (const accountName of accountNames(platform)) {
      const { project } = workspaceFor(platform, 'workspaces', accountName);
      const purpose = accountName === 'platform' ? 'the shared platform' : platform.aws.serviceAccounts.find((a) => a.name === accountName)?.purpose;
      const tfeProject = new TfeProject(this, `project-${accountName}`, {
        name: project,
        organization: tfc.organization,
        description: `tenantctl ${platform.name}-${platform.environment}: stacks in AWS account ${accountName} (${purpose})`,
      });
      projects.set(accountName, tfeProject);
      if (ciTeam) new TeamProjectAccess(this, `ci-team-${accountName}`, { teamId: ciTeam.id, projectId: tfeProject.id, access: 'write' });
    }

    // Cluster and tenant runs call the cluster's private API: from agents in the VPC, tenantctl's
    // own (scoped to these projects) unless a pool is named.
    const ownPool = tfc.agents
      ? new TfcAgentPool(this, 'tfc-agent-pool', { platform, projectIds: [...projects.values()].map((p) => p.id) })
      : undefined;
    const agentPool = ownPool
      ? { id: ownPool.id, dependsOn: [ownPool.scope] }
      : { id: new DataTfeAgentPool(this, 'agent-pool', { name: tfc.agentPool!, organization: tfc.organization }).id };
    const offAgents: string[] = [];
    for (const stack of projectStacks(props.project)) {
      if (stack.kind === 'workspaces' || !stack.accountName) continue;
      const { workspace } = workspaceFor(platform, stack.name, stack.accountName);
      const ws = new Workspace(this, `workspace-${stack.name}`, {
        name: workspace,
        organization: tfc.organization,
        projectId: projects.get(stack.accountName)!.id,
        description: describe(stack),
        terraformVersion: tfc.terraformVersion,
        // Changes are applied by the pull-request workflow after review, never on their own.
        autoApply: false,
        queueAllRuns: false,
        tagNames: ['tenantctl', stack.kind, `account-${stack.accountName}`, ...(stack.tenant ? [`tier-${stack.tenant.tier}`] : [])],
      });
      const onAgents = AGENT_STACK_KINDS.includes(stack.kind);
      if (!onAgents) offAgents.push(ws.id);
      new WorkspaceSettings(this, `settings-${stack.name}`, {
        workspaceId: ws.id,
        ...(onAgents ? { executionMode: 'agent', agentPoolId: agentPool.id, dependsOn: agentPool.dependsOn } : { executionMode: 'remote' }),
        // Stacks find each other by name through data sources; no workspace reads another's state.
        globalRemoteState: false,
        remoteStateConsumerIds: [],
      });
      const env = (key: string, value: string, description: string) =>
        new Variable(this, `${stack.name}-${key}`, { workspaceId: ws.id, category: 'env', key, value, description });
      for (const accountName of credentialAccounts(stack)) {
        // The stack's own account is the default configuration; the platform account of a tenant
        // in a service account is the tagged one its `aws.platform` provider reads.
        const suffix = accountName === stack.accountName ? '' : `_${PLATFORM_CREDENTIALS_TAG}`;
        env(`TFC_AWS_PROVIDER_AUTH${suffix}`, 'true', `Dynamic AWS credentials for account ${accountName}`);
        env(
          `TFC_AWS_RUN_ROLE_ARN${suffix}`,
          tfcRoleArn(platform, stack.name, accountName),
          `Run role in account ${accountName} (from its bootstrap stack)`,
        );
      }
    }
    if (ownPool) handOverAgentToken(this, platform, ownPool, offAgents);
  }
}

/**
 * Hands tenantctl's pool token to the agents through Secrets Manager in the platform account, so
 * the workspaces stack deploys there too: its first apply runs locally with administrator
 * credentials, later ones with dynamic credentials for its own run role, which it sets on its own
 * workspace. That workspace, like every workspace that does not run on the agents, may not use the pool.
 */
function handOverAgentToken(stack: WorkspacesStack, platform: PlatformSpec, pool: TfcAgentPool, offAgents: string[]): void {
  const tfc = platform.terraformCloud!;
  new AwsProvider(stack, 'aws', awsProviderConfig(platform, { id: stack.node.id, accountName: 'platform', kind: 'workspaces' }));
  new AgentTokenSecret(stack, 'agent-token-secret', { platform, token: pool.token });
  const self = new DataTfeWorkspace(stack, 'self', {
    name: workspaceFor(platform, 'workspaces', 'platform').workspace,
    organization: tfc.organization,
  });
  pool.excludeWorkspaces([self.id, ...offAgents]);
  const env = (key: string, value: string, description: string) =>
    new Variable(stack, `workspaces-${key}`, { workspaceId: self.id, category: 'env', key, value, description });
  env('TFC_AWS_PROVIDER_AUTH', 'true', 'Dynamic AWS credentials for account platform (the agent token secret)');
  env('TFC_AWS_RUN_ROLE_ARN', tfcRoleArn(platform, 'workspaces', 'platform'), 'Run role in account platform (from its bootstrap stack)');
}

function describe(stack: StackInfo): string {
  switch (stack.kind) {
    case 'bootstrap':
      return `tenantctl: Terraform Cloud trust (OIDC provider, run roles) in AWS account ${stack.accountName}`;
    case 'platform':
      return 'tenantctl: the shared platform, AWS layer (network, keys, EKS, database, edge, registries)';
    case 'cluster':
      return 'tenantctl: the shared platform, Kubernetes layer (add-ons, mesh, observability, platform SQL)';
    default:
      return `tenantctl: tenant ${stack.tenant?.id} (${stack.tenant?.tier}${stack.tenant?.status === 'removed' ? ', removed' : ''})`;
  }
}
