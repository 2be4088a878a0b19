import { AgentPool } from '@cdktf/provider-tfe/lib/agent-pool';
import { AgentPoolAllowedProjects } from '@cdktf/provider-tfe/lib/agent-pool-allowed-projects';
import { AgentPoolExcludedWorkspaces } from '@cdktf/provider-tfe/lib/agent-pool-excluded-workspaces';
import { AgentToken } from '@cdktf/provider-tfe/lib/agent-token';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { platformNames } from '../../../src/model/names';
import type { PlatformSpec } from '../../../src/model/platform-schema';

export interface TfcAgentPoolProps {
  readonly platform: PlatformSpec;
  /** The projects whose workspaces may use the pool (one per AWS account). */
  readonly projectIds: string[];
}

/**
 * Kinds of stack whose runs call the cluster's private API, so run on agents in the VPC. The
 * workspaces, bootstrap and platform stacks call public APIs only and stay on Terraform Cloud's
 * runners (the agents cannot start before the workspaces stack has written their token).
 */
export const AGENT_STACK_KINDS: readonly string[] = ['cluster', 'tenant'];

/**
 * The Terraform Cloud side of tenantctl's agents: an agent pool and its token (TfcAgents runs the
 * agents, AgentTokenSecret hands them the token). The pool is scoped: only workspaces of the
 * given projects may use it, minus those `excludeWorkspaces` names. Scoping by project (one per
 * account) rather than by workspace keeps the pool's settings unchanged when a tenant is added.
 */
export class TfcAgentPool extends Construct {
  readonly id: string;
  readonly token: string;
  /** What a workspace's agent execution mode needs first: the pool's scope. */
  readonly scope: ITerraformDependable;
  private readonly pool: AgentPool;

  constructor(scope: Construct, id: string, props: TfcAgentPoolProps) {
    super(scope, id);
    const tfc = props.platform.terraformCloud;
    if (!tfc) throw new Error('TfcAgentPool needs terraformCloud in platform.json');
    const names = platformNames(props.platform);
    this.pool = new AgentPool(this, 'pool', { name: names.terraformAgentPool, organization: tfc.organization, organizationScoped: false });
    this.id = this.pool.id;
    this.scope = new AgentPoolAllowedProjects(this, 'allowed-projects', { agentPoolId: this.pool.id, allowedProjectIds: props.projectIds });
    this.token = new AgentToken(this, 'token', {
      agentPoolId: this.pool.id,
      description:
        `tenantctl: agents of ${names.prefix} (Auto Scaling group ${names.terraformAgents}), via Secrets Manager ` +
        `${names.terraformAgentTokenSecret}`,
    }).token;
  }

  /** Workspaces of the allowed projects that must not run on the agents. */
  excludeWorkspaces(workspaceIds: string[]): void {
    new AgentPoolExcludedWorkspaces(this, 'excluded-workspaces', { agentPoolId: this.pool.id, excludedWorkspaceIds: workspaceIds });
  }
}
