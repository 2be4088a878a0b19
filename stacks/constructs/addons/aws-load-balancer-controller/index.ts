import type { Release } from '@cdktf/provider-helm/lib/release';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { SYSTEM_PRIORITY_CLASSES } from '../../../../src/model/priorities';
import { IrsaRole } from '../../identity/irsa-role';
import { HelmAddon } from '../helm-addon';
import { systemNodes } from '../system-nodes';
import { chartRepositories, chartVersions } from '../versions';
import { loadBalancerControllerStatements } from './iam-policy';

export interface AwsLoadBalancerControllerProps {
  readonly clusterName: string;
  readonly region: string;
  readonly vpcId: string;
  /** The only target group the controller may register targets in (Edge). */
  readonly targetGroupArn: string;
  readonly roleName: string;
  readonly oidcProviderArn: string;
  /** OIDC issuer without https://. */
  readonly oidcIssuer: string;
  readonly namespace: string;
  readonly dependsOn?: ITerraformDependable[];
}

export const LBC_SERVICE_ACCOUNT = 'aws-load-balancer-controller';

/**
 * AWS Load Balancer Controller with an IRSA role. It serves only TargetGroupBindings: the mutating
 * webhook for Services, the IngressClass and the WAF/Shield integrations are off, because the
 * edge is Terraform's and the role could not create load balancers anyway. Its pod readiness gate
 * webhook stays on: gateway pods in a namespace labelled for it count as ready only once healthy
 * in the target group, so rollouts never drain the ALB.
 */
export class AwsLoadBalancerController extends Construct {
  readonly role: IrsaRole;
  readonly release: Release;

  constructor(scope: Construct, id: string, props: AwsLoadBalancerControllerProps) {
    super(scope, id);
    this.role = new IrsaRole(this, 'role', {
      roleName: props.roleName,
      oidcProviderArn: props.oidcProviderArn,
      oidcIssuer: props.oidcIssuer,
      namespace: props.namespace,
      serviceAccount: LBC_SERVICE_ACCOUNT,
      statements: loadBalancerControllerStatements(props.targetGroupArn),
    });
    this.release = new HelmAddon(this, 'helm', {
      releaseName: 'aws-load-balancer-controller',
      chart: 'aws-load-balancer-controller',
      repository: chartRepositories.eks,
      version: chartVersions.awsLoadBalancerController,
      namespace: props.namespace,
      values: {
        clusterName: props.clusterName,
        region: props.region,
        vpcId: props.vpcId,
        replicaCount: 2,
        podDisruptionBudget: { maxUnavailable: 1 },
        // Its pod webhook (readiness gates) sits in the path of every gateway pod.
        priorityClassName: SYSTEM_PRIORITY_CLASSES.clusterCritical.name,
        ...systemNodes(),
        serviceAccount: {
          create: true,
          name: LBC_SERVICE_ACCOUNT,
          annotations: { 'eks.amazonaws.com/role-arn': this.role.arn },
        },
        enableServiceMutatorWebhook: false,
        createIngressClassResource: false,
        ingressClassParams: { create: false },
        enableShield: false,
        enableWaf: false,
        enableWafv2: false,
      },
      // It calls AWS as soon as it starts: its role's policy must be in place first.
      dependsOn: [...(props.dependsOn ?? []), ...this.role.permissions],
    }).release;
  }
}
