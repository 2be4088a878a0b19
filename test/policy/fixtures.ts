import { runRules } from '../../src/policy/engine';
import type { Finding, RuleContext, StackDocument } from '../../src/policy/types';

/**
 * Hand-made stacks in the shape cdktf synthesizes (snake_case attributes, single nested blocks as
 * objects, repeated ones as lists, references as `${type.id.attr}`), compliant with every rule.
 * Tests break one thing and expect exactly one rule to fire.
 */
export interface Fixture extends StackDocument {
  readonly json: any;
}

const NS_ID = 'namespace_namespace_67941C3A';
const ISSUER = '${replace(data.aws_eks_cluster.eks-cluster.identity[0].oidc[0].issuer, "https://", "")}';
const PROXY_ID = '${element(split(":", data.aws_db_proxy.db-proxy.arn), 6)}';

/** A policy as cdktf writes it: JSON.stringify, where a token keeps its own quotes unescaped. */
export const policyJson = (statements: object[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements }).replace(/\$\{[^}]*\}/g, (token) => token.replace(/\\"/g, '"'));

const netpol = (name: string, spec: object) => ({
  metadata: { name, namespace: `\${kubernetes_namespace_v1.${NS_ID}.metadata[0].name}`, labels: { 'app.kubernetes.io/managed-by': 'tenantctl' } },
  spec: { pod_selector: {}, ...spec },
});
const manifest = (apiVersion: string, kind: string, name: string, spec: object) => ({
  manifest: { apiVersion, kind, metadata: { name, namespace: `\${kubernetes_namespace_v1.${NS_ID}.metadata[0].name}` }, spec },
});
const podsIn = (namespace: string, labels?: Record<string, string>) => ({
  namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': namespace } },
  ...(labels ? { pod_selector: { match_labels: labels } } : {}),
});

/** Platform pods' placement on the tainted system nodes, as charts take it. */
export const SYSTEM_PLACEMENT = {
  nodeSelector: { 'tenantctl.io/pool': 'system' },
  tolerations: [{ key: 'tenantctl.io/pool', operator: 'Equal', value: 'system', effect: 'NoSchedule' }],
};

/** The tenant's scheduling policy as TenantScheduling writes it (enterprise priority and sidecar). */
export const schedulingPolicy = (id: string, dedicated: boolean) =>
  manifest('kyverno.io/v1', 'Policy', 'tenant-scheduling', {
    background: false,
    rules: [
      {
        name: 'tier-priority',
        match: POD_CREATE,
        mutate: { patchStrategicMerge: { spec: { priorityClassName: 'tenant-enterprise', priority: 100000 } } },
      },
      {
        name: 'sidecar-resources',
        match: POD_CREATE,
        mutate: {
          patchStrategicMerge: {
            metadata: {
              annotations: {
                '+(sidecar.istio.io/proxyCPU)': '50m',
                '+(sidecar.istio.io/proxyCPULimit)': '150m',
                '+(sidecar.istio.io/proxyMemory)': '96Mi',
                '+(sidecar.istio.io/proxyMemoryLimit)': '256Mi',
              },
            },
          },
        },
      },
      {
        name: 'node-selector',
        match: POD_CREATE,
        mutate: { patchStrategicMerge: { spec: { nodeSelector: dedicated ? { 'tenantctl.io/tenant': id } : { 'tenantctl.io/pool': 'tenants' } } } },
      },
      {
        name: 'deny-foreign-node-tolerations',
        match: { any: [{ resources: { kinds: ['Pod'], operations: ['CREATE', 'UPDATE'] } }] },
        validate: {
          failureAction: 'Enforce',
          deny: {
            conditions: {
              any: [
                {
                  key:
                    `{{ request.object.spec.tolerations[?(key=='tenantctl.io/tenant' && value!='${id}') || key=='tenantctl.io/pool' || ` +
                    `(!key && operator=='Exists')] || \`[]\` | length(@) }}`,
                  operator: 'GreaterThan',
                  value: 0,
                },
              ],
            },
          },
        },
      },
    ],
  });
const POD_CREATE = { any: [{ resources: { kinds: ['Pod'], operations: ['CREATE'] } }] };

export interface TenantFixtureOptions {
  /** Namespace the stack creates (default tenant-<id>). */
  readonly namespace?: string;
  /** Database user in the tenant's rds-db:connect permission (default tenant_<id>). */
  readonly dbUser?: string;
  /** Host of the tenant's VirtualService (default <id>.saas.example.com). */
  readonly host?: string;
  /** Adds a dedicated node group of this instance type and max size. */
  readonly nodeGroup?: { readonly instanceType: string; readonly maxSize: number };
}

/** A compliant `tenant-<id>` stack. */
export function tenantStack(id: string, options: TenantFixtureOptions = {}): Fixture {
  const ns = options.namespace ?? `tenant-${id}`;
  const dbUser = options.dbUser ?? `tenant_${id.replace(/-/g, '_')}`;
  const nsRef = `\${kubernetes_namespace_v1.${NS_ID}.metadata[0].name}`;
  const resource: Record<string, Record<string, unknown>> = {
    kubernetes_namespace_v1: {
      [NS_ID]: {
        metadata: {
          name: ns,
          labels: { 'pod-security.kubernetes.io/enforce': 'restricted', 'istio-injection': 'enabled', 'tenantctl.io/tenant': id },
        },
      },
    },
    kubernetes_resource_quota_v1: {
      namespace_quota_6F4CBB7B: {
        metadata: { name: 'tenant-quota', namespace: nsRef },
        spec: { hard: { 'requests.cpu': '16', 'limits.cpu': '40', 'requests.memory': '32Gi', 'limits.memory': '80Gi', pods: '100' } },
      },
    },
    kubernetes_limit_range_v1: {
      namespace_limits_29F88B9E: {
        metadata: { name: 'tenant-limits', namespace: nsRef },
        spec: { limit: [{ type: 'Container', default: { cpu: '250m', memory: '512Mi' }, default_request: { cpu: '100m', memory: '192Mi' } }] },
      },
    },
    kubernetes_network_policy_v1: {
      'network-policies_default-deny_6FC030DE': netpol('default-deny', { policy_types: ['Ingress', 'Egress'] }),
      'network-policies_allow-same-namespace_A6F9459E': netpol('allow-same-namespace', {
        policy_types: ['Ingress', 'Egress'],
        ingress: [{ from: [{ pod_selector: {} }] }],
        egress: [{ to: [{ pod_selector: {} }] }],
      }),
      'network-policies_allow-ingress-gateway_1F08A28A': netpol('allow-ingress-gateway', {
        policy_types: ['Ingress'],
        ingress: [{ from: [podsIn('istio-system', { app: 'istio-ingressgateway' })] }],
      }),
      'network-policies_allow-dns_AD8E485E': netpol('allow-dns', {
        policy_types: ['Egress'],
        egress: [
          {
            to: [podsIn('kube-system', { 'k8s-app': 'kube-dns' })],
            ports: [
              { port: '53', protocol: 'UDP' },
              { port: '53', protocol: 'TCP' },
            ],
          },
        ],
      }),
      'network-policies_allow-database_3C6E805A': netpol('allow-database', {
        policy_types: ['Egress'],
        egress: [{ to: [{ ip_block: { cidr: '10.0.200.0/24' } }], ports: [{ port: '5432', protocol: 'TCP' }] }],
      }),
    },
    kubernetes_manifest: {
      scheduling_policy_260DAC8F: schedulingPolicy(id, !!options.nodeGroup),
      'mesh_peer-authentication_E36FF7E6': manifest('security.istio.io/v1', 'PeerAuthentication', 'default', { mtls: { mode: 'STRICT' } }),
      'mesh_deny-other-tenants_D7224FC7': manifest('security.istio.io/v1', 'AuthorizationPolicy', 'deny-other-tenants', {
        action: 'DENY',
        rules: [{ from: [{ source: { notNamespaces: [ns, 'istio-system', 'shared-services'] } }] }],
      }),
      'mesh_virtual-service_C70A7B50': manifest('networking.istio.io/v1beta1', 'VirtualService', `tenant-${id}`, {
        hosts: [options.host ?? `${id}.saas.example.com`],
        gateways: ['istio-system/tenant-gateway'],
        http: [{ name: 'tenant', route: [{ destination: { host: `gateway.${ns}.svc.cluster.local`, port: { number: 8080 } } }] }],
      }),
    },
    kubernetes_config_map_v1: {
      'rate-limit_descriptor_E49D4020': {
        metadata: {
          name: ns,
          namespace: 'ratelimit',
          labels: { 'app.kubernetes.io/managed-by': 'tenantctl', 'tenantctl.io/ratelimit-descriptor': 'true', 'tenantctl.io/tenant': id },
        },
        data: {
          [`${ns}.yaml`]: `{"domain":"tenantctl-ingress","descriptors":[{"key":"destination_cluster","value":"outbound|8080||gateway.${ns}.svc.cluster.local","rate_limit":{"unit":"second","requests_per_unit":1000}}]}`,
        },
      },
    },
    kubernetes_service_account_v1: {
      'identity_service-account_4C1D2E3F': {
        metadata: { name: 'app', namespace: nsRef, annotations: { 'eks.amazonaws.com/role-arn': '${aws_iam_role.identity_role_9A8B7C6D.arn}' } },
        automount_service_account_token: false,
      },
    },
    aws_iam_role: {
      identity_role_9A8B7C6D: {
        name: `acme-prod-tenant-${id}`,
        assume_role_policy: policyJson([
          {
            Effect: 'Allow',
            Principal: { Federated: '${data.aws_iam_openid_connect_provider.oidc-provider.arn}' },
            Action: 'sts:AssumeRoleWithWebIdentity',
            Condition: { StringEquals: { [`${ISSUER}:sub`]: `system:serviceaccount:${nsRef}:app`, [`${ISSUER}:aud`]: 'sts.amazonaws.com' } },
          },
        ]),
      },
    },
    aws_iam_role_policy: {
      identity_role_policy_11223344: {
        name: 'permissions',
        role: '${aws_iam_role.identity_role_9A8B7C6D.name}',
        policy: policyJson([
          {
            Sid: 'ConnectAsTenantDbUserThroughProxy',
            Effect: 'Allow',
            Action: ['rds-db:connect'],
            Resource: [`arn:aws:rds-db:eu-west-1:111122223333:dbuser:${PROXY_ID}/${dbUser}`],
          },
        ]),
      },
    },
  };
  if (options.nodeGroup) {
    resource.aws_eks_node_group = {
      'nodes_node-group_ABCDEF01': {
        cluster_name: '${data.aws_eks_cluster.eks-cluster.name}',
        node_group_name: `tenant-${id}`,
        instance_types: [options.nodeGroup.instanceType],
        scaling_config: { min_size: 1, desired_size: 1, max_size: options.nodeGroup.maxSize },
      },
    };
  }
  return {
    name: `tenant-${id}`,
    file: `cdktf.out/stacks/tenant-${id}/cdk.tf.json`,
    json: {
      terraform: { backend: { local: { path: `../../../state/tenant-${id}/terraform.tfstate` } } },
      provider: { aws: [{ region: 'eu-west-1', default_tags: [{ tags: { 'tenantctl:tenant': id } }] }] },
      data: {
        aws_eks_cluster: { 'eks-cluster': { name: 'acme-prod' } },
        aws_db_proxy: { 'db-proxy': { name: 'acme-prod-proxy' } },
      },
      resource,
    },
  };
}

/** A compliant `platform` stack with one resource of each kind the platform rules look at. */
export function platformStack(): Fixture {
  const kmsKey = (purpose: string) => ({ description: purpose, enable_key_rotation: true, deletion_window_in_days: 30 });
  return {
    name: 'platform',
    file: 'cdktf.out/stacks/platform/cdk.tf.json',
    json: {
      terraform: { backend: { local: { path: '../../../state/platform/terraform.tfstate' } } },
      provider: { aws: [{ region: 'eu-west-1' }] },
      resource: {
        aws_kms_key: { keys_eks_1A: kmsKey('eks'), keys_logs_2B: kmsKey('logs') },
        aws_vpc: { network_vpc_3C: { cidr_block: '10.0.0.0/16' } },
        aws_flow_log: {
          'network_flow-log_4D': {
            vpc_id: '${aws_vpc.network_vpc_3C.id}',
            traffic_type: 'ALL',
            log_destination: '${aws_cloudwatch_log_group.network_flow-logs_5E.arn}',
          },
        },
        aws_cloudwatch_log_group: {
          'network_flow-logs_5E': { name: '/aws/vpc/acme-prod/flow-logs', kms_key_id: '${aws_kms_key.keys_logs_2B.arn}', retention_in_days: 365 },
        },
        aws_eks_cluster: {
          eks_cluster_6F: {
            name: 'acme-prod',
            vpc_config: { endpoint_private_access: true, endpoint_public_access: false, subnet_ids: ['${aws_subnet.a.id}'] },
            encryption_config: { resources: ['secrets'], provider: { key_arn: '${aws_kms_key.keys_eks_1A.arn}' } },
            enabled_cluster_log_types: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'],
          },
        },
        aws_db_parameter_group: {
          'database_parameter-group_7A': {
            name: 'acme-prod-postgres',
            family: 'postgres17',
            parameter: [
              { name: 'rds.force_ssl', value: '1' },
              { name: 'log_connections', value: '1' },
            ],
          },
        },
        aws_db_instance: {
          database_instance_8B: {
            identifier: 'acme-prod-postgres',
            multi_az: true,
            storage_encrypted: true,
            kms_key_id: '${aws_kms_key.keys_eks_1A.arn}',
            publicly_accessible: false,
            iam_database_authentication_enabled: true,
            deletion_protection: true,
            backup_retention_period: 14,
            parameter_group_name: '${aws_db_parameter_group.database_parameter-group_7A.name}',
          },
        },
        aws_db_proxy: {
          database_proxy_proxy_9C: {
            name: 'acme-prod-proxy',
            require_tls: true,
            default_auth_scheme: 'IAM_AUTH',
            auth: [
              {
                auth_scheme: 'SECRETS',
                iam_auth: 'REQUIRED',
                secret_arn: '${aws_db_instance.database_instance_8B.master_user_secret[0].secret_arn}',
              },
            ],
          },
        },
        aws_security_group: {
          'edge_security-group_AD': { name: 'acme-prod-alb', vpc_id: '${aws_vpc.network_vpc_3C.id}' },
          'database_security-group_BE': { name: 'acme-prod-postgres', vpc_id: '${aws_vpc.network_vpc_3C.id}' },
        },
        aws_vpc_security_group_ingress_rule: {
          'edge_ingress-443_CF': {
            security_group_id: '${aws_security_group.edge_security-group_AD.id}',
            ip_protocol: 'tcp',
            from_port: 443,
            to_port: 443,
            cidr_ipv4: '0.0.0.0/0',
          },
          'edge_ingress-80_D0': {
            security_group_id: '${aws_security_group.edge_security-group_AD.id}',
            ip_protocol: 'tcp',
            from_port: 80,
            to_port: 80,
            cidr_ipv4: '0.0.0.0/0',
          },
          'database_ingress-proxy_E1': {
            security_group_id: '${aws_security_group.database_security-group_BE.id}',
            ip_protocol: 'tcp',
            from_port: 5432,
            to_port: 5432,
            cidr_ipv4: '10.0.0.0/16',
          },
        },
        aws_lb: {
          edge_alb_F2: {
            name: 'acme-prod-alb',
            internal: false,
            load_balancer_type: 'application',
            security_groups: ['${aws_security_group.edge_security-group_AD.id}'],
            drop_invalid_header_fields: true,
            enable_deletion_protection: true,
            access_logs: { bucket: '${aws_s3_bucket.edge_access-logs_bucket_03.id}', enabled: true },
          },
        },
        aws_lb_listener: {
          edge_https_14: {
            load_balancer_arn: '${aws_lb.edge_alb_F2.arn}',
            port: 443,
            protocol: 'HTTPS',
            ssl_policy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
            default_action: [{ type: 'forward', target_group_arn: '${aws_lb_target_group.tg.arn}' }],
          },
          edge_http_25: {
            load_balancer_arn: '${aws_lb.edge_alb_F2.arn}',
            port: 80,
            protocol: 'HTTP',
            default_action: [{ type: 'redirect', redirect: { protocol: 'HTTPS', port: '443', status_code: 'HTTP_301' } }],
          },
        },
        aws_wafv2_web_acl: {
          edge_waf_acl_36: {
            name: 'acme-prod-edge',
            scope: 'REGIONAL',
            rule: [
              { name: 'rate-limit-per-ip', priority: 0, statement: { rate_based_statement: { limit: 2000, aggregate_key_type: 'IP' } } },
              {
                name: 'AWSManagedRulesCommonRuleSet',
                priority: 1,
                override_action: { none: {} },
                statement: { managed_rule_group_statement: { name: 'AWSManagedRulesCommonRuleSet', vendor_name: 'AWS' } },
              },
            ],
          },
        },
        aws_wafv2_web_acl_association: {
          edge_waf_association_47: { resource_arn: '${aws_lb.edge_alb_F2.arn}', web_acl_arn: '${aws_wafv2_web_acl.edge_waf_acl_36.arn}' },
        },
        aws_wafv2_web_acl_logging_configuration: {
          edge_waf_logging_58: {
            resource_arn: '${aws_wafv2_web_acl.edge_waf_acl_36.arn}',
            log_destination_configs: ['${aws_cloudwatch_log_group.network_flow-logs_5E.arn}'],
          },
        },
        aws_ecr_repository: {
          'registry_repository-api_69': {
            name: 'acme/api',
            image_tag_mutability: 'IMMUTABLE',
            image_scanning_configuration: { scan_on_push: true },
            encryption_configuration: [{ encryption_type: 'KMS', kms_key: '${aws_kms_key.keys_eks_1A.arn}' }],
          },
        },
        aws_elasticache_replication_group: {
          'ratelimit_replication-group_1D': {
            replication_group_id: 'acme-prod-ratelimit',
            engine: 'valkey',
            num_cache_clusters: 2,
            multi_az_enabled: true,
            automatic_failover_enabled: true,
            at_rest_encryption_enabled: 'true',
            kms_key_id: '${aws_kms_key.keys_eks_1A.arn}',
            transit_encryption_enabled: true,
            transit_encryption_mode: 'required',
            auth_token: '${aws_secretsmanager_secret_version.ratelimit_auth-token-version_2E.secret_string}',
          },
        },
        aws_iam_role_policy: {
          'database_proxy_role-policy_7A': {
            name: 'master-secret',
            role: 'acme-prod-rds-proxy',
            policy: policyJson([
              {
                Effect: 'Allow',
                Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
                Resource: '${aws_db_instance.database_instance_8B.master_user_secret[0].secret_arn}',
              },
            ]),
          },
        },
        helm_release: {
          services_istiod_helm_release_8B: {
            name: 'istiod',
            chart: 'istiod',
            repository: 'https://istio-release.storage.googleapis.com/charts',
            version: '1.29.2',
            namespace: 'istio-system',
            values: [
              JSON.stringify({
                ...SYSTEM_PLACEMENT,
                sidecarInjectorWebhook: { reinvocationPolicy: 'IfNeeded' },
                global: { priorityClassName: 'system-cluster-critical' },
              }),
            ],
          },
          'services_mesh-policies_helm_release_9C': {
            name: 'platform-mesh',
            chart: 'assets/services_mesh-policies_chart_0D/ABCDEF',
            version: '0.1.0',
            namespace: 'istio-system',
          },
          'services_cluster-autoscaler_helm_release_AE': {
            name: 'cluster-autoscaler',
            chart: 'cluster-autoscaler',
            repository: 'https://kubernetes.github.io/autoscaler',
            version: '9.52.1',
            namespace: 'kube-system',
            values: [JSON.stringify({ ...SYSTEM_PLACEMENT, priorityClassName: 'system-cluster-critical' })],
          },
        },
      },
    },
  };
}

/** A platform, a shared-node tenant and a dedicated-node tenant: the baseline every test breaks. */
export function baseline(): { platform: Fixture; acme: Fixture; globex: Fixture } {
  return {
    platform: platformStack(),
    acme: tenantStack('acme'),
    globex: tenantStack('globex', { nodeGroup: { instanceType: 'm6i.2xlarge', maxSize: 4 } }),
  };
}

/** Findings of every rule over the stacks (and config). */
export function findingsOf(stacks: StackDocument[], extra: Omit<RuleContext, 'stacks'> = {}): Finding[] {
  return runRules({ stacks, ...extra });
}

/** The address of the only resource of `type` whose logical id starts with `prefix`. */
export function addressOf(stack: Fixture, type: string, prefix: string): string {
  const ids = Object.keys(stack.json.resource[type] ?? {}).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1) throw new Error(`expected one ${type} starting with ${prefix} in ${stack.name}, found ${ids.length}`);
  return `${type}.${ids[0]}`;
}

/** The body of a resource by address (`type.id`), for tests to change. */
export function body(stack: Fixture, address: string): any {
  const [type, ...id] = address.split('.');
  const found = stack.json.resource[type]?.[id.join('.')];
  if (!found) throw new Error(`${address} is not in ${stack.name}`);
  return found;
}

/** Unsuppressed findings as [rule, stack, address] triples, for exact comparisons. */
export function triples(findings: readonly Finding[]): [string, string | undefined, string][] {
  return findings.map((f) => [f.ruleId, f.stack, f.address]);
}
