import { execFileSync, spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { agentUserData, type AgentUserDataProps } from '../../stacks/constructs/agents/user-data';
import { HASHICORP_SIGNING_KEY_FINGERPRINT, agentArchitecture } from '../../stacks/constructs/agents/tfc-agent-release';
import { tempDir } from '../util';

const PROPS: AgentUserDataProps = {
  hostname: 'app.terraform.io',
  region: 'eu-west-1',
  tokenSecretName: 'acme-prod-terraform-agent-token',
  architecture: agentArchitecture('m6i.large'),
};
const script = agentUserData(PROPS);
const RELEASE = 'https://releases.hashicorp.com/tfc-agent/1.31.0';
const ZIP = 'tfc-agent_1.31.0_linux_amd64.zip';

/** The files the script writes with `cat > <path> <<'EOF'`, by path. */
function writtenFiles(text: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const match of text.matchAll(/^cat > (\S+) <<'EOF'\n([\s\S]*?)^EOF$/gm)) files[match[1]] = match[2];
  return files;
}
const files = writtenFiles(script);
const unit = (name: string) => files[`/etc/systemd/system/${name}`];
const lineOf = (text: string, fragment: string) => text.split('\n').findIndex((l) => l.includes(fragment));

describe('agent user data: installing the pinned tfc-agent', () => {
  test('is a bash script bash accepts, as is every script it writes, and fits the 16 KB user data limit', () => {
    expect(script.startsWith('#!/bin/bash\n')).toBe(true);
    for (const text of [
      script,
      ...Object.entries(files)
        .filter(([p]) => p.startsWith('/usr/local/libexec/'))
        .map(([, t]) => t),
    ]) {
      expect(spawnSync('bash', ['-n'], { input: text }).status).toBe(0);
    }
    expect(Buffer.byteLength(script)).toBeLessThan(16 * 1024);
  });

  test("downloads the pinned release, its SHA256SUMS and signature, and HashiCorp's key, over HTTPS only", () => {
    for (const [url, file] of [
      [`${RELEASE}/${ZIP}`, ZIP],
      [`${RELEASE}/tfc-agent_1.31.0_SHA256SUMS`, 'SHA256SUMS'],
      [`${RELEASE}/tfc-agent_1.31.0_SHA256SUMS.sig`, 'SHA256SUMS.sig'],
      ['https://www.hashicorp.com/.well-known/pgp-key.txt', 'hashicorp.asc'],
    ]) {
      expect(script).toContain(`\nfetch ${url} ${file}\n`);
    }
    expect(script).toContain(`fetch() { curl --fail --silent --show-error --location --proto '=https' --tlsv1.2 `);
  });

  test('installs only after the signature (by the pinned fingerprint) and the checksum check out', () => {
    const verify = lineOf(script, 'gpg --batch --status-file gpg-status --verify SHA256SUMS.sig SHA256SUMS');
    const fingerprint = lineOf(script, `VALIDSIG .* ${HASHICORP_SIGNING_KEY_FINGERPRINT}$' gpg-status`);
    const checksum = lineOf(script, 'sha256sum --check --strict expected');
    const unzip = lineOf(script, `unzip -o -d /opt/tfc-agent ${ZIP} tfc-agent tfc-agent-core`);
    expect([verify, fingerprint, checksum, unzip].every((i) => i > 0)).toBe(true);
    expect(verify < fingerprint && fingerprint < checksum && checksum < unzip).toBe(true);
    // A failed check stops the script: errexit is on from the start.
    expect(script.split('\n')[2]).toBe('set -euo pipefail');
  });

  test('reads the token from the Secrets Manager secret with the instance role, and names the agent after the instance', () => {
    const env = files['/usr/local/libexec/tfc-agent-env'];
    expect(env).toContain(
      'aws secretsmanager get-secret-value --region eu-west-1 --secret-id acme-prod-terraform-agent-token --query SecretString --output text',
    );
    expect(env).toContain('instance_id=$(/usr/local/libexec/tfc-agent-imds instance-id)');
    expect(env).toContain(`printf 'TFC_AGENT_TOKEN=%s\\nTFC_AGENT_NAME=%s\\n' "$agent_token" "$instance_id" > /run/tfc-agent/env`);
    expect(env).toContain('umask 077');
    expect(files['/usr/local/libexec/tfc-agent-imds']).toContain(
      "curl -fsS -X PUT -H 'X-aws-ec2-metadata-token-ttl-seconds: 60' http://169.254.169.254/latest/api/token",
    );
  });

  test('runs the agent unprivileged, pinned (no auto-update), against the configured host, with its token from the environment file', () => {
    const agent = unit('tfc-agent.service');
    for (const line of [
      'Requires=tfc-agent-env.service',
      'After=tfc-agent-env.service',
      'User=tfc-agent',
      'EnvironmentFile=/run/tfc-agent/env',
      'Environment=TFC_ADDRESS=https://app.terraform.io',
      'Environment=TFC_AGENT_AUTO_UPDATE=disabled',
      'ExecStart=/opt/tfc-agent/tfc-agent',
      'Restart=always',
    ]) {
      expect(agent.split('\n')).toContain(line);
    }
    expect(script).not.toMatch(/TFC_AGENT_TOKEN=[^%]/);
  });

  test('reads the token again at every start of the agent, so a replaced token reaches it after a restart', () => {
    const env = unit('tfc-agent-env.service').split('\n');
    expect(env).toEqual(expect.arrayContaining(['Type=oneshot', 'ExecStart=/usr/local/libexec/tfc-agent-env', 'TimeoutStartSec=infinity']));
    expect(env.filter((l) => l.startsWith('RemainAfterExit'))).toEqual([]);
  });

  test('keeps runs away from the instance role and the rest of the host', () => {
    const agent = unit('tfc-agent.service').split('\n');
    for (const line of [
      'IPAddressDeny=169.254.169.254',
      'NoNewPrivileges=yes',
      'PrivateTmp=yes',
      'ProtectSystem=strict',
      'ProtectHome=yes',
      'StateDirectory=tfc-agent',
    ]) {
      expect(agent).toContain(line);
    }
  });

  test('drains on termination: one SIGTERM to the agent alone, waited for as long as the lifecycle hook holds the instance', () => {
    const agent = unit('tfc-agent.service').split('\n');
    expect(agent).toEqual(expect.arrayContaining(['KillMode=mixed', 'TimeoutStopSec=7200']));
    const drain = files['/usr/local/libexec/tfc-agent-drain'];
    expect(drain).toContain('/usr/local/libexec/tfc-agent-imds autoscaling/target-lifecycle-state');
    expect(drain.indexOf('systemctl stop tfc-agent.service')).toBeLessThan(drain.indexOf('systemctl poweroff'));
    expect(script).toContain('systemctl enable tfc-agent.service tfc-agent-drain.service\n');
    expect(script).toContain('systemctl start --no-block tfc-agent.service tfc-agent-drain.service\n');
  });

  test('installs the arm64 build on Graviton', () => {
    const arm = agentUserData({ ...PROPS, architecture: agentArchitecture('c7g.xlarge') });
    expect(arm).toContain(`fetch ${RELEASE}/tfc-agent_1.31.0_linux_arm64.zip tfc-agent_1.31.0_linux_arm64.zip`);
    expect(arm).toContain(`awk '$2 == "tfc-agent_1.31.0_linux_arm64.zip"' SHA256SUMS > expected`);
  });
});

/**
 * The verification steps of the script, run for real with gpg against a key made for the test
 * (standing in for HashiCorp's): only a release whose checksums that key signed, and whose zip
 * matches them, passes.
 */
describe('agent user data: the signature and checksum checks, run with gpg', () => {
  const dir = tempDir('tenantctl-agent-gpg-');
  const gpg = (home: string, ...args: string[]) => execFileSync('gpg', ['--homedir', home, '--batch', '--quiet', ...args], { encoding: 'utf8' });
  const makeKey = (name: string) => {
    const home = path.join(dir, `${name}-gnupg`);
    fs.mkdirSync(home, { mode: 0o700 });
    gpg(home, '--passphrase', '', '--quick-gen-key', `${name} <${name}@example.com>`, 'ed25519', 'sign', 'never');
    const fingerprint = gpg(home, '--with-colons', '--list-keys')
      .split('\n')
      .find((l) => l.startsWith('fpr:'))!
      .split(':')[9];
    return { home, fingerprint };
  };
  const release = makeKey('release');
  const attacker = makeKey('attacker');
  // From `export GNUPGHOME` to the checksum check, with the test key's fingerprint pinned.
  const lines = script.split('\n');
  const steps = lines
    .slice(lineOf(script, 'export GNUPGHOME='), lineOf(script, 'sha256sum --check --strict expected') + 1)
    .join('\n')
    .replace(HASHICORP_SIGNING_KEY_FINGERPRINT, release.fingerprint);

  /** A download directory: the zip, SHA256SUMS signed by `signer`, and `published` as hashicorp.asc. */
  function download(
    name: string,
    opts: { signer?: typeof release; published?: typeof release; tamperSums?: boolean; tamperZip?: boolean; omitZip?: boolean } = {},
  ) {
    const work = path.join(dir, name);
    fs.mkdirSync(work);
    const zip = Buffer.from('tfc-agent release archive');
    fs.writeFileSync(path.join(work, ZIP), zip);
    const sum = crypto.createHash('sha256').update(zip).digest('hex');
    const sums = `${sum}  ${opts.omitZip ? 'tfc-agent_1.31.0_linux_arm64.zip' : ZIP}\n${'0'.repeat(64)}  tfc-agent_1.31.0_darwin_arm64.zip\n`;
    fs.writeFileSync(path.join(work, 'SHA256SUMS'), sums);
    const signer = opts.signer ?? release;
    gpg(
      signer.home,
      '--local-user',
      signer.fingerprint,
      '--detach-sign',
      '--output',
      path.join(work, 'SHA256SUMS.sig'),
      path.join(work, 'SHA256SUMS'),
    );
    fs.writeFileSync(
      path.join(work, 'hashicorp.asc'),
      gpg((opts.published ?? release).home, '--armor', '--export', (opts.published ?? release).fingerprint),
    );
    if (opts.tamperSums) fs.appendFileSync(path.join(work, 'SHA256SUMS'), `${'1'.repeat(64)}  extra.zip\n`);
    if (opts.tamperZip) fs.appendFileSync(path.join(work, ZIP), 'x');
    return spawnSync('bash', ['-c', `set -euo pipefail\nwork=$PWD\n${steps}`], { cwd: work, encoding: 'utf8' }).status;
  }

  test('accepts the release signed by the pinned key', () => {
    expect(download('genuine')).toBe(0);
  });

  test.each([
    ['checksums signed by another key, served as the HashiCorp key', { signer: attacker, published: attacker }],
    ['checksums changed after signing', { tamperSums: true }],
    ['a zip that does not match its checksum', { tamperZip: true }],
    ['checksums that do not list the zip', { omitZip: true }],
  ])('rejects %s', (name, opts) => {
    expect(download(name.replace(/\W+/g, '-'), opts)).not.toBe(0);
  });
});
