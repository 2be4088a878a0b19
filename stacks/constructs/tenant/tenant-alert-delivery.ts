import { Manifest } from '@cdktf/provider-kubernetes/lib/manifest';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { alertsTopicArn, TENANT_ALERTS_RECEIVER } from '../../../src/model/alert-delivery';
import { TENANT_LABEL } from '../../../src/model/labels';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import type { TenantSpec } from '../../../src/model/project';
import { AlertsTopic } from '../alerting/alerts-topic';

export interface TenantAlertDeliveryProps {
  readonly platform: PlatformSpec;
  readonly tenant: TenantSpec;
  /** The tenant's namespace, where its AlertmanagerConfig lives (and whose alerts only it sees). */
  readonly namespace: string;
  /**
   * What the AlertmanagerConfig waits for (the tenant's namespace).
   * @default - nothing beyond the references in the props
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Where the tenant's alerts go: its SNS topic (`<prefix>-tenant-<id>-alerts`), which the tenant's
 * adminPrincipalArn may subscribe to (e.g. its adminEmail), and an AlertmanagerConfig in its
 * namespace that sends every alert there. Alertmanager adds a `namespace=<tenant namespace>` matcher to the config
 * (OnNamespace, KubePrometheusStack), so it only ever sees the tenant's own alerts.
 */
export class TenantAlertDelivery extends Construct {
  readonly topic: AlertsTopic;

  constructor(scope: Construct, id: string, props: TenantAlertDeliveryProps) {
    super(scope, id);
    const { platform, tenant, namespace } = props;
    this.topic = new AlertsTopic(this, 'topic', { platform, name: tenant.names.alertsTopic, subscriber: tenant.adminPrincipalArn });

    new Manifest(this, 'alertmanager-config', {
      // The ARN by name, known at plan (kubernetes_manifest needs the whole manifest then), after the topic.
      dependsOn: [...(props.dependsOn ?? []), this.topic.topic],
      manifest: {
        apiVersion: 'monitoring.coreos.com/v1alpha1',
        kind: 'AlertmanagerConfig',
        metadata: { name: tenant.names.alertDelivery, namespace, labels: { 'app.kubernetes.io/managed-by': 'tenantctl', [TENANT_LABEL]: tenant.id } },
        spec: {
          route: { receiver: TENANT_ALERTS_RECEIVER, groupBy: ['alertname'], groupWait: '30s', groupInterval: '5m', repeatInterval: '4h' },
          receivers: [
            {
              name: TENANT_ALERTS_RECEIVER,
              snsConfigs: [
                { topicARN: alertsTopicArn(platform, tenant.names.alertsTopic), sigv4: { region: platform.aws.region }, sendResolved: true },
              ],
            },
          ],
        },
      },
    });
  }
}
