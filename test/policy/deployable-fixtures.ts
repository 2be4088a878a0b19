import type { Project } from '../../src/model/project';
import { platformSpec } from '../util';
import { baseline, policyJson, type Fixture } from './fixtures';

/**
 * The baseline made to apply on a fresh account, in the split the issue asks for: the platform
 * stack (AWS layer) also creates the applier's access entry, the Auto Scaling service-linked role
 * before the key that names it, the log bucket with the region's log-delivery principal and the
 * gateway target group its HTTPS listener forwards to; a `cluster` stack applies the Kubernetes
 * layer through providers configured from data sources and an exec plugin. Deployability tests
 * break one thing and expect exactly one rule to fire.
 */

export const CLUSTER = 'acme-prod';
export const SLR = 'aws_iam_service_linked_role.keys_autoscaling_C3';
export const EBS_KEY = 'aws_kms_key.keys_ebs_D4';
export const LOG_BUCKET = 'aws_s3_bucket.edge_access-logs_bucket_03';
export const LOG_POLICY = 'aws_s3_bucket_policy.edge_access-logs_policy_E5';
export const ALB = 'aws_lb.edge_alb_F2';
export const HTTPS = 'aws_lb_listener.edge_https_14';
export const MESH = 'helm_release.services_mesh_helm_release_A1';
export const GATEWAY_NS = 'kubernetes_namespace_v1.services_namespaces_istio-system_B2';
export const JOB = 'kubernetes_job_v1.database-provisioner_job_F1';
export const JOB_ROLE = 'aws_iam_role.database-provisioner_role_F3';
export const JOB_POLICY = 'aws_iam_role_policy.database-provisioner_role-policy_F4';

const AUTOSCALING_SLR_ARN = 'arn:aws:iam::111122223333:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling';
/** The Elastic Load Balancing account that writes access logs in eu-west-1. */
export const EU_WEST_1_ELB_ACCOUNT = '156460612806';

/** A kubernetes provider connection that reads the cluster by name and fetches a fresh token per request. */
export function execConnection(extraArgs: string[] = []) {
  return {
    host: '${data.aws_eks_cluster.eks-cluster.endpoint}',
    cluster_ca_certificate: '${base64decode(data.aws_eks_cluster.eks-cluster.certificate_authority[0].data)}',
    exec: {
      api_version: 'client.authentication.k8s.io/v1beta1',
      command: 'aws',
      args: ['eks', 'get-token', '--cluster-name', CLUSTER, '--region', 'eu-west-1', ...extraArgs],
    },
  };
}

/** The bucket policy that lets `principal` deliver access logs. */
export const logDeliveryPolicy = (principal: object) =>
  policyJson([
    {
      Sid: 'AllowElbLogDelivery',
      Effect: 'Allow',
      Principal: principal,
      Action: 's3:PutObject',
      Resource: `\${${LOG_BUCKET}.arn}/AWSLogs/111122223333/*`,
    },
  ]);

function deployablePlatform(platform: Fixture): Fixture {
  const r = platform.json.resource;
  r.aws_eks_cluster.eks_cluster_6F.access_config = { authentication_mode: 'API', bootstrap_cluster_creator_admin_permissions: false };
  platform.json.data = {
    aws_caller_identity: { current: {} },
    aws_iam_session_context: { current: { arn: '${data.aws_caller_identity.current.arn}' } },
  };
  r.aws_eks_access_entry = {
    'eks_applier-entry_A1': {
      cluster_name: '${aws_eks_cluster.eks_cluster_6F.name}',
      principal_arn: '${data.aws_iam_session_context.current.issuer_arn}',
      type: 'STANDARD',
    },
  };
  r.aws_eks_access_policy_association = {
    'eks_applier-admin_B2': {
      cluster_name: '${aws_eks_cluster.eks_cluster_6F.name}',
      principal_arn: '${aws_eks_access_entry.eks_applier-entry_A1.principal_arn}',
      policy_arn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
      access_scope: { type: 'cluster' },
    },
  };
  r.aws_iam_service_linked_role = { keys_autoscaling_C3: { aws_service_name: 'autoscaling.amazonaws.com' } };
  r.aws_kms_key.keys_ebs_D4 = {
    description: 'ebs',
    enable_key_rotation: true,
    deletion_window_in_days: 30,
    policy: policyJson([
      { Sid: 'AccountAdministersKey', Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'kms:*', Resource: '*' },
      {
        Sid: 'AutoScalingUsesKeyForNodeVolumes',
        Effect: 'Allow',
        Principal: { AWS: AUTOSCALING_SLR_ARN },
        Action: ['kms:Decrypt', 'kms:GenerateDataKeyWithoutPlaintext'],
        Resource: '*',
      },
    ]),
    depends_on: [SLR],
  };
  r.aws_s3_bucket = { 'edge_access-logs_bucket_03': { bucket: 'acme-prod-111122223333-alb-logs' } };
  r.aws_s3_bucket_policy = {
    'edge_access-logs_policy_E5': {
      bucket: `\${${LOG_BUCKET}.id}`,
      policy: logDeliveryPolicy({ AWS: `arn:aws:iam::${EU_WEST_1_ELB_ACCOUNT}:root` }),
    },
  };
  r.aws_lb.edge_alb_F2.depends_on = [LOG_POLICY];
  r.aws_lb_target_group = {
    tg: { name: 'acme-prod-istio', port: 8080, protocol: 'HTTP', target_type: 'ip', vpc_id: '${aws_vpc.network_vpc_3C.id}' },
  };
  return platform;
}

/** The Kubernetes layer: gateway namespace and mesh chart bound to the platform's target group, and the platform SQL Job. */
function clusterStack(): Fixture {
  const ns = 'tenantctl-system';
  return {
    name: 'cluster',
    file: 'cdktf.out/stacks/cluster/cdk.tf.json',
    json: {
      terraform: { backend: { local: { path: '../../../state/cluster/terraform.tfstate' } } },
      provider: { aws: [{ region: 'eu-west-1' }], kubernetes: [execConnection()], helm: [{ kubernetes: execConnection() }] },
      data: {
        aws_eks_cluster: { 'eks-cluster': { name: CLUSTER } },
        aws_lb_target_group: { gateway: { name: 'acme-prod-istio' } },
        aws_db_proxy: { 'db-proxy': { name: 'acme-prod-proxy' } },
        aws_iam_openid_connect_provider: { oidc: { url: '${data.aws_eks_cluster.eks-cluster.identity[0].oidc[0].issuer}' } },
      },
      resource: {
        kubernetes_namespace_v1: {
          'services_namespaces_istio-system_B2': {
            metadata: { name: 'istio-system', labels: { 'elbv2.k8s.aws/pod-readiness-gate-inject': 'enabled' } },
          },
          'services_namespaces_tenantctl-system_B3': { metadata: { name: ns } },
        },
        helm_release: {
          services_mesh_helm_release_A1: {
            name: 'platform-mesh',
            chart: 'assets/services_mesh_chart_0D/ABCDEF',
            version: '1.0.0',
            namespace: 'istio-system',
            values: [
              JSON.stringify(
                {
                  targetGroupArn: '${data.aws_lb_target_group.gateway.arn}',
                  gateway: { namespace: 'istio-system', service: 'istio-ingressgateway', port: 8080 },
                },
                null,
                2,
              ),
            ],
            depends_on: [GATEWAY_NS],
          },
        },
        aws_iam_role: {
          'database-provisioner_role_F3': {
            name: 'acme-prod-db-provisioner',
            assume_role_policy: policyJson([
              {
                Effect: 'Allow',
                Principal: { Federated: '${data.aws_iam_openid_connect_provider.oidc.arn}' },
                Action: 'sts:AssumeRoleWithWebIdentity',
              },
            ]),
          },
        },
        aws_iam_role_policy: {
          'database-provisioner_role-policy_F4': {
            name: 'acme-prod-db-provisioner',
            role: `\${${JOB_ROLE}.name}`,
            policy: policyJson([
              {
                Effect: 'Allow',
                Action: ['rds-db:connect'],
                Resource: ['arn:aws:rds-db:eu-west-1:111122223333:dbuser:prx-0123456789abcdef0/tenantctl_admin'],
              },
            ]),
          },
        },
        kubernetes_service_account_v1: {
          'database-provisioner_service-account_F2': {
            metadata: {
              name: 'db-provisioner',
              namespace: `\${kubernetes_namespace_v1.services_namespaces_tenantctl-system_B3.metadata[0].name}`,
              annotations: { 'eks.amazonaws.com/role-arn': `\${${JOB_ROLE}.arn}` },
            },
          },
        },
        kubernetes_job_v1: {
          'database-provisioner_job_F1': {
            metadata: { name: 'db-provision-platform', namespace: ns },
            spec: {
              backoff_limit: 3,
              template: {
                spec: {
                  service_account_name: 'db-provisioner',
                  restart_policy: 'Never',
                  node_selector: { 'tenantctl.io/pool': 'system' },
                  toleration: [{ key: 'tenantctl.io/pool', operator: 'Equal', value: 'system', effect: 'NoSchedule' }],
                  container: [
                    {
                      name: 'psql',
                      image: 'public.ecr.aws/docker/library/postgres:17.6-alpine',
                      env: [{ name: 'DB_HOST', value: '${data.aws_db_proxy.db-proxy.endpoint}' }],
                    },
                  ],
                },
              },
            },
            wait_for_completion: true,
            depends_on: ['kubernetes_service_account_v1.database-provisioner_service-account_F2', JOB_POLICY],
          },
        },
      },
    },
  };
}

/** A platform, its cluster stack, a shared-node tenant and a dedicated-node tenant, all deployable. */
export function deployable(): { platform: Fixture; cluster: Fixture; acme: Fixture; globex: Fixture } {
  const b = baseline();
  for (const tenant of [b.acme, b.globex]) tenant.json.provider.kubernetes = [execConnection()];
  const cluster = clusterStack();
  // The baseline's Helm releases (Istio, mesh, autoscaler) belong to the Kubernetes layer.
  Object.assign(cluster.json.resource.helm_release, b.platform.json.resource.helm_release);
  delete b.platform.json.resource.helm_release;
  return { platform: deployablePlatform(b.platform), cluster, acme: b.acme, globex: b.globex };
}

export type Deployable = ReturnType<typeof deployable>;

export const stacksOf = (d: Deployable): Fixture[] => [d.platform, d.cluster, d.acme, d.globex];

/** Stacks applied by Terraform Cloud runs (organization acme). */
export function inTerraformCloud(...stacks: Fixture[]): void {
  for (const s of stacks) s.json.terraform = { cloud: { organization: 'acme', workspaces: { name: `acme-prod-${s.name}` } } };
}

/** A loaded project for the fixtures' platform (acme-prod in 111122223333), with extra `aws` settings a newer schema may hold. */
export function project(options: { terraformCloud?: boolean; aws?: Record<string, unknown> } = {}): Project {
  const platform = platformSpec(options.terraformCloud ? { terraformCloud: { organization: 'acme' } } : {});
  // Planned for its two tenants: the quota projection (TC-PIP-004) has its own fixtures.
  return {
    dir: '.',
    platform: { ...platform, aws: { ...platform.aws, ...options.aws }, database: { ...platform.database, plannedTenants: 2 } },
    tiers: {},
    tenants: [],
  };
}
