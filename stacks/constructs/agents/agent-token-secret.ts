import { SecretsmanagerSecret } from '@cdktf/provider-aws/lib/secretsmanager-secret';
import { SecretsmanagerSecretVersion } from '@cdktf/provider-aws/lib/secretsmanager-secret-version';
import { Construct } from 'constructs';
import { platformNames } from '../../../src/model/names';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import { EncryptionKey } from '../kms/kms-key';

export interface AgentTokenSecretProps {
  readonly platform: PlatformSpec;
  /** The agent pool token (`tfe_agent_token.token`). */
  readonly token: string;
}

/**
 * Hands the agent pool token to the agents: a Secrets Manager secret in the platform account,
 * encrypted with a KMS key of its own, holding the token. It lives in the workspaces stack, the
 * first stack applied, so the token is in place before the platform stack starts the agents
 * (TfcAgents reads it by name); a new token (replacing `tfe_agent_token`) updates it in the same
 * apply. The key is its own because the platform's keys do not exist yet at that point, and so
 * its audit trail concerns this token alone; access is granted by IAM policies (the key policy
 * delegates to the account), as the agents' role is created later by another stack.
 */
export class AgentTokenSecret extends Construct {
  constructor(scope: Construct, id: string, props: AgentTokenSecretProps) {
    super(scope, id);
    const names = platformNames(props.platform);
    const key = new EncryptionKey(this, 'key', {
      aliasName: names.terraformAgentTokenKmsAlias,
      description: `${names.prefix}: Terraform Cloud agent pool token in Secrets Manager`,
      accountId: props.platform.aws.accountId,
      partition: names.partition,
    });
    const secret = new SecretsmanagerSecret(this, 'secret', {
      name: names.terraformAgentTokenSecret,
      description: `Token of the Terraform Cloud agent pool ${names.terraformAgentPool}, read by the agents at start`,
      kmsKeyId: key.arn,
    });
    // secret_string, not the write-only argument: the token is in this stack's state anyway
    // (tfe_agent_token), and only a plain value follows a new token automatically.
    new SecretsmanagerSecretVersion(this, 'token', { secretId: secret.id, secretString: props.token });
  }
}
