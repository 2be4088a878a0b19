import { ARM_FAMILY } from '../../../src/model/instance-types';

/**
 * The tfc-agent release the agents install. Pinned, with auto-update off: an upgrade is a
 * reviewed one-line change here that rolls the Auto Scaling group (changelog:
 * developer.hashicorp.com/terraform/cloud-docs/agents/changelog).
 */
export const TFC_AGENT_VERSION = '1.31.0';

/** HashiCorp's release site: every release has a zip per platform, SHA256SUMS and its signature. */
const RELEASES_URL = 'https://releases.hashicorp.com';

/**
 * HashiCorp's release signing key, where hashicorp.com/security publishes it, and its fingerprint:
 * the fingerprint, not the download, is what the agents trust.
 */
export const HASHICORP_SIGNING_KEY_URL = 'https://www.hashicorp.com/.well-known/pgp-key.txt';
export const HASHICORP_SIGNING_KEY_FINGERPRINT = 'C874011F0AB405110D02105534365D9472D7468F';

/** CPU architecture of an instance type, in the spellings of the AL2023 AMI parameters and of HashiCorp releases. */
export interface AgentArchitecture {
  readonly ami: 'x86_64' | 'arm64';
  readonly release: 'amd64' | 'arm64';
}

export function agentArchitecture(instanceType: string): AgentArchitecture {
  return ARM_FAMILY.test(instanceType) ? { ami: 'arm64', release: 'arm64' } : { ami: 'x86_64', release: 'amd64' };
}

/**
 * The latest Amazon Linux 2023 AMI (AWS CLI v2 and the SSM agent preinstalled) as a Systems
 * Manager public parameter: EC2 resolves it at each launch, so a new AMI release changes no
 * Terraform plan and every new agent boots patched.
 */
export function amazonLinuxImageId(architecture: AgentArchitecture): string {
  return `resolve:ssm:/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${architecture.ami}`;
}

/** Download URLs of the pinned release for one architecture. */
export function tfcAgentRelease(architecture: AgentArchitecture) {
  const base = `${RELEASES_URL}/tfc-agent/${TFC_AGENT_VERSION}`;
  const zip = `tfc-agent_${TFC_AGENT_VERSION}_linux_${architecture.release}.zip`;
  const sums = `tfc-agent_${TFC_AGENT_VERSION}_SHA256SUMS`;
  return { zip, zipUrl: `${base}/${zip}`, sumsUrl: `${base}/${sums}`, signatureUrl: `${base}/${sums}.sig` };
}
