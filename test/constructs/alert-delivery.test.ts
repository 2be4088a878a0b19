import { Testing } from 'cdktf';
import { resolveTenant } from '../../src/model/project';
import { tenantSchema } from '../../src/model/tenant-schema';
import { resolveTiers } from '../../src/model/tiers';
import { validateManifest } from '../../src/manifests/schema';
import { tenantRunStatements } from '../../stacks/constructs/tfc/tenant-run-permissions';
import { ClusterStack } from '../../stacks/cluster-stack';
import { TenantStack } from '../../stacks/tenant-stack';
import { admissionPolicySpec } from '../../stacks/constructs/kubernetes/tenant-deployer-access';
import { admits } from '../cel';
import { platformSpec, SynthJson } from '../util';

/**
 * Alert delivery as synthesized: each tenant's SNS topic and AlertmanagerConfig, and Alertmanager's
 * side in the cluster stack (its IRSA role, the OnNamespace strategy, the platform's default route).
 */

const platform = platformSpec();
const tiers = resolveTiers();
const ADMIN_ARN = 'arn:aws:iam::111122223333:role/acme-team';
const tenantOf = (id: string, extra: Record<string, unknown> = {}) =>
  resolveTenant(tenantSchema.parse({ version: 1, id, tier: 'standard', ...extra }), platform, tiers, `tenants/${id}.json`);
const synthTenant = (id: string, extra: Record<string, unknown> = {}) =>
  SynthJson.parse(Testing.synth(new TenantStack(Testing.app(), { platform, tenant: tenantOf(id, extra) })));
const cluster = SynthJson.parse(Testing.synth(new ClusterStack(Testing.app(), { platform, tiers })));

const ALERTMANAGER_ROLE = 'arn:aws:iam::111122223333:role/acme-prod-alertmanager';
const topicArn = (name: string) => `arn:aws:sns:eu-west-1:111122223333:${name}`;

describe('GIVEN a tenant stack', () => {
  const json = synthTenant('globex');
  const topicId = json.idOf('aws_sns_topic');
  const alertDelivery = () => json.where('kubernetes_manifest', (m) => m.manifest.kind === 'AlertmanagerConfig');

  test('THEN its alerts topic is named for it and encrypted with the AWS managed SNS key', () => {
    expect(json.one('aws_sns_topic')).toMatchObject({ name: 'acme-prod-tenant-globex-alerts', kms_master_key_id: 'alias/aws/sns' });
  });

  test("THEN the topic policy lets Alertmanager's role publish and names no one else", () => {
    const policy = json.one('aws_sns_topic_policy');
    expect(policy.arn).toBe(`\${aws_sns_topic.${topicId}.arn}`);
    expect(JSON.parse(policy.policy).Statement).toEqual([
      {
        Sid: 'AlertmanagerPublishes',
        Effect: 'Allow',
        Principal: { AWS: ALERTMANAGER_ROLE },
        Action: 'sns:Publish',
        Resource: `\${aws_sns_topic.${topicId}.arn}`,
      },
    ]);
    expect(json.resources('aws_sns_topic_subscription')).toEqual({});
  });

  test('THEN its AlertmanagerConfig sits in its namespace, labelled with it, and sends every alert to its topic', () => {
    const [config] = alertDelivery();
    expect(alertDelivery()).toHaveLength(1);
    expect(config.manifest.metadata).toEqual({
      name: 'tenant-globex-alerts',
      namespace: 'tenant-globex',
      labels: { 'app.kubernetes.io/managed-by': 'tenantctl', 'tenantctl.io/tenant': 'globex' },
    });
    expect(config.manifest.spec).toEqual({
      route: { receiver: 'tenant-alerts', groupBy: ['alertname'], groupWait: '30s', groupInterval: '5m', repeatInterval: '4h' },
      receivers: [
        {
          name: 'tenant-alerts',
          snsConfigs: [{ topicARN: topicArn('acme-prod-tenant-globex-alerts'), sigv4: { region: 'eu-west-1' }, sendResolved: true }],
        },
      ],
    });
    // The ARN is built by name (known at plan); the config still waits for the topic and the namespace.
    expect(config.depends_on).toEqual(
      expect.arrayContaining([`aws_sns_topic.${topicId}`, `kubernetes_namespace_v1.${json.idOf('kubernetes_namespace_v1')}`]),
    );
  });

  test('THEN the AlertmanagerConfig is valid against the prometheus-operator v1alpha1 schema', () => {
    expect(validateManifest(alertDelivery()[0].manifest)).toBeFalsy();
    const broken = structuredClone(alertDelivery()[0].manifest);
    broken.spec.receivers[0].snsConfigs[0].sigv4 = { region: 1 };
    expect(validateManifest(broken)).toBeTruthy();
  });

  test('GIVEN an adminPrincipalArn THEN the topic policy lets that principal subscribe, and only subscribe', () => {
    const withAdmin = synthTenant('initech', { adminPrincipalArn: ADMIN_ARN });
    const statements = JSON.parse(withAdmin.one('aws_sns_topic_policy').policy).Statement;
    expect(statements.map((s: any) => [s.Sid, s.Principal.AWS, s.Action])).toEqual([
      ['AlertmanagerPublishes', ALERTMANAGER_ROLE, 'sns:Publish'],
      ['TeamSubscribes', ADMIN_ARN, 'sns:Subscribe'],
    ]);
  });

  test('THEN its run role may manage its own topic, by name, and no other SNS object', () => {
    const statements = tenantRunStatements(platform, tenantOf('globex'), 'platform');
    const sns = statements.filter((s) => [s.Action ?? []].flat().some((a) => a.startsWith('sns:')));
    expect(sns.map((s) => ({ Sid: s.Sid, Resource: s.Resource }))).toEqual([
      { Sid: 'SnsTopic', Resource: [topicArn('acme-prod-tenant-globex-alerts')] },
      { Sid: 'SnsTopicPolicy', Resource: [topicArn('acme-prod-tenant-globex-alerts')] },
    ]);
  });
});

describe('GIVEN the cluster stack', () => {
  const release = cluster.where('helm_release', (r) => r.name === 'kube-prometheus-stack')[0];
  const alertmanager = JSON.parse(release.values[0]).alertmanager;
  const roleId = cluster.idOf('aws_iam_role', (r) => r.name === 'acme-prod-alertmanager');
  const topicId = cluster.idOf('aws_sns_topic');

  test("THEN Alertmanager's IRSA role trusts its service account only and may publish to the platform's and the tenants' alerts topics", () => {
    const role = cluster.resources('aws_iam_role')[roleId];
    // The issuer is a Terraform expression (with quotes) inside the JSON: the subject is read as text.
    expect(role.assume_role_policy).toContain(':sub":"system:serviceaccount:monitoring:kube-prometheus-stack-alertmanager"');
    const policy = cluster.where('aws_iam_role_policy', (p) => p.name === 'acme-prod-alertmanager')[0];
    expect(policy.role).toBe(`\${aws_iam_role.${roleId}.name}`);
    expect(JSON.parse(policy.policy).Statement).toEqual([
      {
        Sid: 'PublishAlerts',
        Effect: 'Allow',
        Action: ['sns:Publish'],
        Resource: [topicArn('acme-prod-platform-alerts'), topicArn('acme-prod-tenant-*-alerts')],
      },
    ]);
  });

  test("THEN the platform's topic is encrypted and publishable by that role only, after the role exists", () => {
    expect(cluster.one('aws_sns_topic')).toMatchObject({ name: 'acme-prod-platform-alerts', kms_master_key_id: 'alias/aws/sns' });
    const policy = cluster.one('aws_sns_topic_policy');
    expect(JSON.parse(policy.policy).Statement).toEqual([
      {
        Sid: 'AlertmanagerPublishes',
        Effect: 'Allow',
        Principal: { AWS: ALERTMANAGER_ROLE },
        Action: 'sns:Publish',
        Resource: `\${aws_sns_topic.${topicId}.arn}`,
      },
    ]);
    expect(policy.depends_on).toEqual([`aws_iam_role.${roleId}`]);
  });

  test('THEN Alertmanager runs as that role and takes tenant AlertmanagerConfigs, each confined to its namespace', () => {
    expect(alertmanager.serviceAccount).toEqual({
      create: true,
      name: 'kube-prometheus-stack-alertmanager',
      annotations: { 'eks.amazonaws.com/role-arn': `\${aws_iam_role.${roleId}.arn}` },
    });
    const tenantLabelled = { matchExpressions: [{ key: 'tenantctl.io/tenant', operator: 'Exists' }] };
    expect(alertmanager.alertmanagerSpec).toMatchObject({
      alertmanagerConfigSelector: tenantLabelled,
      alertmanagerConfigNamespaceSelector: tenantLabelled,
      alertmanagerConfigMatcherStrategy: { type: 'OnNamespace' },
    });
    const policyId = cluster.idOf('aws_iam_role_policy', (p) => p.name === 'acme-prod-alertmanager');
    expect(release.depends_on).toContain(`aws_iam_role_policy.${policyId}`);
  });

  test("THEN the default route sends the platform's alerts to its topic, not to the chart's null receiver, and Watchdog to null", () => {
    expect(alertmanager.config.route.receiver).toBe('platform-alerts');
    expect(alertmanager.config.route.routes).toEqual([{ receiver: 'null', matchers: ['alertname=~"Watchdog|InfoInhibitor"'] }]);
    expect(alertmanager.config.receivers).toEqual([
      { name: 'null' },
      {
        name: 'platform-alerts',
        sns_configs: [{ topic_arn: `\${aws_sns_topic.${topicId}.arn}`, sigv4: { region: 'eu-west-1' }, send_resolved: true }],
      },
    ]);
  });
});

describe("GIVEN a tenant's AlertmanagerConfig WHEN its pipeline writes it", () => {
  const config = synthTenant('globex').where('kubernetes_manifest', (m) => m.manifest.kind === 'AlertmanagerConfig')[0].manifest;
  const spec = admissionPolicySpec(platform);
  const write = (object: any, tenant = 'globex') =>
    admits(spec, {
      operation: 'CREATE',
      group: 'monitoring.coreos.com',
      resource: 'alertmanagerconfigs',
      namespace: `tenant-${tenant}`,
      name: object.metadata.name,
      username: `arn:aws:sts::111122223333:assumed-role/acme-prod-tfc-tenant-${tenant}/run`,
      groups: ['tenantctl:tenant-deployers', `tenantctl:tenant:${tenant}`, 'system:authenticated'],
      object,
      namespaceObject: { metadata: { name: `tenant-${tenant}`, labels: { 'tenantctl.io/tenant': tenant, 'tenantctl.io/tier': 'standard' } } },
    });
  const sns = (change: (c: any) => void) => {
    const copy = JSON.parse(JSON.stringify(config));
    change(copy.spec.receivers[0].snsConfigs[0]);
    return copy;
  };

  test('THEN the one tenantctl writes is admitted', () => {
    expect(write(config)).toBe(true);
  });

  test("THEN one that publishes to another tenant's topic or the platform's, or sends the signed request or the message elsewhere, is refused", () => {
    expect(write(sns((c) => (c.topicARN = topicArn('acme-prod-tenant-initech-alerts'))))).toBe(false);
    expect(write(sns((c) => (c.topicARN = topicArn('acme-prod-platform-alerts'))))).toBe(false);
    expect(write(sns((c) => (c.apiURL = 'https://collector.example.com/')))).toBe(false);
    expect(write(sns((c) => (c.phoneNumber = '+15555550100')))).toBe(false);
    expect(write(sns((c) => (c.targetARN = 'arn:aws:sns:eu-west-1:111122223333:endpoint/GCM/app/1')))).toBe(false);
    // Another tenant's pipeline writing this tenant's config in its own namespace names the wrong topic for it.
    expect(write({ ...config, metadata: { ...config.metadata, namespace: 'tenant-initech' } }, 'initech')).toBe(false);
  });
});
