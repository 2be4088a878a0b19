import {
  HASHICORP_SIGNING_KEY_FINGERPRINT,
  HASHICORP_SIGNING_KEY_URL,
  TFC_AGENT_VERSION,
  tfcAgentRelease,
  type AgentArchitecture,
} from './tfc-agent-release';

export interface AgentUserDataProps {
  /** Terraform Cloud or Terraform Enterprise host the agents register with. */
  readonly hostname: string;
  readonly region: string;
  /** Name of the Secrets Manager secret holding the agent pool token. */
  readonly tokenSecretName: string;
  readonly architecture: AgentArchitecture;
}

/**
 * How long a stopping agent may take to finish its current run: systemd waits this long before
 * killing it, and the Auto Scaling lifecycle hook holds a terminating instance as long (7200 s is
 * the longest heartbeat Auto Scaling allows).
 */
export const AGENT_DRAIN_SECONDS = 7200;

const LIBEXEC = '/usr/local/libexec';
const IMDS = `${LIBEXEC}/tfc-agent-imds`;
const ENV_SCRIPT = `${LIBEXEC}/tfc-agent-env`;
const DRAIN_SCRIPT = `${LIBEXEC}/tfc-agent-drain`;
const INSTALL_DIR = '/opt/tfc-agent';
/** Written at each boot to a tmpfs, root only; systemd (not the agent) reads it. */
const ENV_DIR = '/run/tfc-agent';
const ENV_FILE = `${ENV_DIR}/env`;
const AGENT_USER = 'tfc-agent';
const STATE_DIR = `/var/lib/${AGENT_USER}`;

/**
 * The launch script of an agent instance (Amazon Linux 2023, run once by cloud-init as root). It
 * installs the pinned tfc-agent after checking the SHA256SUMS signature against HashiCorp's key
 * fingerprint and the zip against SHA256SUMS, then hands over to three systemd units:
 * - `tfc-agent-env` reads the pool token from Secrets Manager with the instance role (waiting
 *   until the workspaces stack has written it) and names the agent after the instance, at each
 *   start of the agent, so a replaced token reaches agents that exit on the old one's revocation;
 * - `tfc-agent` runs the agent as an unprivileged user, auto-update off, with the instance
 *   metadata service out of reach of its runs: they use their workspaces' dynamic credentials
 *   and can neither borrow the instance role nor fall back to it;
 * - `tfc-agent-drain` waits for Auto Scaling to mark the instance for termination, lets the
 *   agent finish its run and deregister, then powers the instance off.
 * Values are inserted at synthesis; they are names and hosts validated by the configuration.
 */
export function agentUserData(props: AgentUserDataProps): string {
  const release = tfcAgentRelease(props.architecture);
  return [
    String.raw`#!/bin/bash
# tenantctl: Terraform Cloud agent (tfc-agent ${TFC_AGENT_VERSION}) for ${props.hostname}, run by systemd.
set -euo pipefail

# The pinned release, trusted only if HashiCorp's release key (by fingerprint) signed its
# checksums and the zip matches them. unzip is not part of the AL2023 AMI.
# NAT may still be settling on a fresh VPC: retry rather than leave an agent without tfc-agent.
for attempt in 1 2 3 4 5 6 7 8 9 10; do dnf install -y unzip && break; [ "$attempt" = 10 ] && exit 1; sleep 15; done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fetch() { curl --fail --silent --show-error --location --proto '=https' --tlsv1.2 --retry 10 --retry-delay 15 --retry-all-errors --output "$2" "$1"; }
fetch ${release.zipUrl} ${release.zip}
fetch ${release.sumsUrl} SHA256SUMS
fetch ${release.signatureUrl} SHA256SUMS.sig
fetch ${HASHICORP_SIGNING_KEY_URL} hashicorp.asc
export GNUPGHOME="$work/gnupg"
install -d -m 0700 "$GNUPGHOME"
gpg --batch --quiet --import hashicorp.asc
gpg --batch --status-file gpg-status --verify SHA256SUMS.sig SHA256SUMS
grep -Eq '^\[GNUPG:\] VALIDSIG .* ${HASHICORP_SIGNING_KEY_FINGERPRINT}$' gpg-status
awk '$2 == "${release.zip}"' SHA256SUMS > expected
[ -s expected ]
sha256sum --check --strict expected
install -d -m 0755 ${INSTALL_DIR}
unzip -o -d ${INSTALL_DIR} ${release.zip} tfc-agent tfc-agent-core
chmod 0755 ${INSTALL_DIR}/tfc-agent ${INSTALL_DIR}/tfc-agent-core
useradd --system --home-dir ${STATE_DIR} --no-create-home --shell /sbin/nologin ${AGENT_USER}
install -d -m 0755 ${LIBEXEC}
`,
    file(
      IMDS,
      String.raw`#!/bin/bash
# Prints one instance metadata item (IMDSv2: a session token per call).
set -euo pipefail
token=$(curl -fsS -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' http://169.254.169.254/latest/api/token)
exec curl -fsS -H "X-aws-ec2-metadata-token: $token" "http://169.254.169.254/latest/meta-data/$1"
`,
    ),
    file(
      ENV_SCRIPT,
      String.raw`#!/bin/bash
# The agent's token and name, for systemd to pass to tfc-agent.service.
set -euo pipefail
umask 077
until instance_id=$(${IMDS} instance-id) &&
  agent_token=$(aws secretsmanager get-secret-value --region ${props.region} --secret-id ${props.tokenSecretName} --query SecretString --output text); do
  echo 'agent token not readable yet (is the workspaces stack applied?); retrying in 30 s' >&2
  sleep 30
done
install -d -m 0700 ${ENV_DIR}
printf 'TFC_AGENT_TOKEN=%s\nTFC_AGENT_NAME=%s\n' "$agent_token" "$instance_id" > ${ENV_FILE}
`,
    ),
    file(
      DRAIN_SCRIPT,
      String.raw`#!/bin/bash
# Auto Scaling holds a terminating agent in Terminating:Wait (lifecycle hook) until it powers off.
set -uo pipefail
until [ "$(${IMDS} autoscaling/target-lifecycle-state 2>/dev/null)" = Terminated ]; do
  sleep 5
done
systemctl stop tfc-agent.service
systemctl poweroff
`,
    ),
    `chmod 0700 ${IMDS} ${ENV_SCRIPT} ${DRAIN_SCRIPT}\n`,
    file(
      '/etc/systemd/system/tfc-agent-env.service',
      `[Unit]
Description=Terraform Cloud agent token and name
Wants=network-online.target
After=network-online.target

[Service]
# Not RemainAfterExit: every (re)start of tfc-agent runs it again and picks up a replaced token.
Type=oneshot
TimeoutStartSec=infinity
ExecStart=${ENV_SCRIPT}
`,
    ),
    file(
      '/etc/systemd/system/tfc-agent.service',
      `[Unit]
Description=Terraform Cloud agent
Documentation=https://developer.hashicorp.com/terraform/cloud-docs/agents
Requires=tfc-agent-env.service
After=tfc-agent-env.service

[Service]
User=${AGENT_USER}
Group=${AGENT_USER}
EnvironmentFile=${ENV_FILE}
Environment=TFC_ADDRESS=https://${props.hostname}
Environment=TFC_AGENT_AUTO_UPDATE=disabled
ExecStart=${INSTALL_DIR}/tfc-agent
Restart=always
RestartSec=30
# One SIGTERM to the agent alone: it finishes the current run, deregisters and exits.
KillMode=mixed
TimeoutStopSec=${AGENT_DRAIN_SECONDS}
StateDirectory=${AGENT_USER}
StateDirectoryMode=0700
WorkingDirectory=${STATE_DIR}
# Runs execute providers and provisioners: no instance metadata (the instance role), no privilege
# escalation, and a read-only system outside their state directory and private /tmp.
IPAddressDeny=169.254.169.254
NoNewPrivileges=yes
PrivateTmp=yes
ProtectSystem=strict
ProtectHome=yes

[Install]
WantedBy=multi-user.target
`,
    ),
    file(
      '/etc/systemd/system/tfc-agent-drain.service',
      `[Unit]
Description=Drain the Terraform Cloud agent when Auto Scaling terminates the instance
After=tfc-agent.service

[Service]
ExecStart=${DRAIN_SCRIPT}
Restart=on-failure
RestartSec=5

[Install]
WantedBy=multi-user.target
`,
    ),
    `systemctl daemon-reload
systemctl enable tfc-agent.service tfc-agent-drain.service
# Not waiting: tfc-agent-env may wait for the token, cloud-init should not.
systemctl start --no-block tfc-agent.service tfc-agent-drain.service
`,
  ].join('\n');
}

/** A shell step writing a file verbatim (quoted heredoc: nothing in it is expanded). */
function file(path: string, content: string): string {
  return `cat > ${path} <<'EOF'\n${content}EOF\n`;
}
