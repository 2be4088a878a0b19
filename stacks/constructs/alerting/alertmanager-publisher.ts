import { Construct } from 'constructs';
import { alertsTopicArn } from '../../../src/model/alert-delivery';
import { platformNames } from '../../../src/model/names';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import { IrsaRole } from '../identity/irsa-role';
import { AlertsTopic } from './alerts-topic';

export interface AlertmanagerPublisherProps {
  readonly platform: PlatformSpec;
  readonly oidcProviderArn: string;
  /** OIDC issuer without https://. */
  readonly oidcIssuer: string;
  /** Alertmanager's namespace and service account (KubePrometheusStack). */
  readonly namespace: string;
  readonly serviceAccount: string;
}

/**
 * What Alertmanager publishes with: its IRSA role, allowed `sns:Publish` on the platform's alerts
 * topic and on every tenant's (one name pattern, so nothing here grows per tenant), and the
 * platform's topic, its default route. The topic lives beside the role, in the cluster stack:
 * SNS refuses a topic policy naming a role that does not exist yet. Operators subscribe to it
 * themselves (SNS mails a confirmation link first).
 */
export class AlertmanagerPublisher extends Construct {
  readonly role: IrsaRole;
  readonly platformTopic: AlertsTopic;

  constructor(scope: Construct, id: string, props: AlertmanagerPublisherProps) {
    super(scope, id);
    const { platform } = props;
    const names = platformNames(platform);
    this.role = new IrsaRole(this, 'role', {
      roleName: names.alertmanagerRole,
      oidcProviderArn: props.oidcProviderArn,
      oidcIssuer: props.oidcIssuer,
      namespace: props.namespace,
      serviceAccount: props.serviceAccount,
      statements: [
        {
          Sid: 'PublishAlerts',
          Effect: 'Allow',
          Action: ['sns:Publish'],
          Resource: [alertsTopicArn(platform, names.platformAlertsTopic), alertsTopicArn(platform, names.tenantAlertsTopicPattern)],
        },
      ],
    });
    this.platformTopic = new AlertsTopic(this, 'platform-topic', { platform, name: names.platformAlertsTopic, dependsOn: [this.role.role] });
  }
}
