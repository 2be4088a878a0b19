import { Testing } from 'cdktf';
import { TENANT_ID_HEADER } from '../../src/model/identity';
import type { PlatformConfig } from '../../src/model/platform-schema';
import { resolveTenant, type TenantSpec } from '../../src/model/project';
import { tenantSchema, type TenantConfig } from '../../src/model/tenant-schema';
import { resolveTiers } from '../../src/model/tiers';
import { isKnownKind, validateManifest } from '../../src/manifests/schema';
import { TENANT_ADMIN_ROLE } from '../../stacks/constructs/tenant/tenant-access';
import { TenantStack } from '../../stacks/tenant-stack';
import { platformSpec, SynthJson } from '../util';

const tiers = resolveTiers();
const ADMIN_ARN = 'arn:aws:iam::111122223333:role/acme-admins';

function tenantOf(config: Omit<TenantConfig, 'version'>, platformOverrides: Partial<PlatformConfig> = {}) {
  const platform = platformSpec(platformOverrides);
  const tenant = resolveTenant(tenantSchema.parse({ version: 1, ...config }), platform, tiers, `${config.id}.json`);
  return { platform, tenant };
}

function synthTenant(
  config: Omit<TenantConfig, 'version'>,
  platformOverrides: Partial<PlatformConfig> = {},
): { json: SynthJson; tenant: TenantSpec } {
  const { platform, tenant } = tenantOf(config, platformOverrides);
  const stack = new TenantStack(Testing.app(), { platform, tenant });
  return { json: SynthJson.parse(Testing.synth(stack)), tenant };
}

/** `${type.<id>.` for the only data source of a type, to check references to it. */
function dataRef(json: SynthJson, type: string): string {
  const ids = Object.keys(json.data(type));
  if (ids.length !== 1) throw new Error(`expected one data ${type}, found ${ids.length}`);
  return `\${data.${type}.${ids[0]}.`;
}

const policyNamed = (json: SynthJson, name: string) => {
  const found = json.where('kubernetes_network_policy_v1', (p) => p.metadata.name === name);
  if (found.length !== 1) throw new Error(`expected one network policy ${name}, found ${found.length}`);
  return found[0];
};
const manifestOf = (json: SynthJson, kind: string) => {
  const found = json.where('kubernetes_manifest', (m) => m.manifest.kind === kind);
  if (found.length !== 1) throw new Error(`expected one kubernetes_manifest of kind ${kind}, found ${found.length}`);
  return found[0].manifest;
};
const manifestNamed = (json: SynthJson, kind: string, name: string) => {
  const found = json.where('kubernetes_manifest', (m) => m.manifest.kind === kind && m.manifest.metadata.name === name);
  if (found.length !== 1) throw new Error(`expected one kubernetes_manifest ${kind} ${name}, found ${found.length}`);
  return found[0].manifest;
};
/** What every stock tier's route does now that its end users sign in: clients cannot send the verified tenant header. */
const REMOVE_TENANT_HEADER = { headers: { request: { remove: [TENANT_ID_HEADER] } } };
const peersOf = (policy: any): any[] => [
  ...(policy.spec.ingress ?? []).flatMap((r: any) => r.from ?? []),
  ...(policy.spec.egress ?? []).flatMap((r: any) => r.to ?? []),
];
const nsRef = (json: SynthJson) => `\${kubernetes_namespace_v1.${json.idOf('kubernetes_namespace_v1')}.metadata[0].name}`;

describe.each([
  ['starter', 'beta'],
  ['standard', 'gamma'],
  ['enterprise', 'acme'],
])('TenantStack for a %s tenant', (tierName, id) => {
  const { json, tenant } = synthTenant({ id, tier: tierName, adminPrincipalArn: tierName === 'enterprise' ? ADMIN_ARN : undefined });
  const tier = tiers[tierName];
  const namespace = `tenant-${id}`;
  const dedicated = tier.nodes.isolation === 'dedicated';

  describe('stack', () => {
    test('THEN the stack carries the tenant and tier tags and a backend of its own', () => {
      const tags = json.json.provider.aws[0].default_tags[0].tags;
      expect(tags).toMatchObject({
        'tenantctl:tenant': id,
        'tenantctl:tier': tierName,
        'tenantctl:stack': `tenant-${id}`,
        'tenantctl:platform': 'acme',
      });
      expect(json.json.provider.aws[0].allowed_account_ids).toEqual(['111122223333']);
      expect(json.json.terraform.backend.local.path).toBe(`../../../state/tenant-${id}/terraform.tfstate`);
    });
  });

  describe('platform resources are found by name through data sources', () => {
    test('THEN the cluster and RDS Proxy are data sources named by the platform; the OIDC provider is derived, not listed', () => {
      expect(Object.values(json.data('aws_eks_cluster'))).toEqual([expect.objectContaining({ name: 'acme-prod' })]);
      // A lookup by URL would call iam:ListOpenIDConnectProviders, which no run role is granted.
      expect(json.data('aws_iam_openid_connect_provider')).toEqual({});
      expect(Object.values(json.data('aws_db_proxy'))).toEqual([{ name: 'acme-prod-proxy' }]);
      // The proxy's login to the instance is the platform's grant (DatabaseProxy): no instance lookup here.
      expect(json.data('aws_db_instance')).toEqual({});
    });

    test("THEN nothing reads the platform's state and no platform resource is managed here", () => {
      expect(json.json.data?.terraform_remote_state).toBeUndefined();
      expect(JSON.stringify(json.json)).not.toContain('terraform_remote_state');
      for (const type of ['aws_eks_cluster', 'aws_iam_openid_connect_provider', 'aws_db_proxy', 'aws_db_instance', 'aws_vpc', 'aws_subnet']) {
        expect(json.resources(type)).toEqual({});
      }
    });

    test('THEN the kubernetes provider talks to the looked-up cluster with a token fetched per connection', () => {
      const provider = json.json.provider.kubernetes[0];
      const cluster = dataRef(json, 'aws_eks_cluster');
      expect(provider.host).toBe(`${cluster}endpoint}`);
      expect(provider.cluster_ca_certificate).toBe(`\${base64decode(${cluster.slice(2)}certificate_authority[0].data)}`);
      expect(provider.token).toBeUndefined();
      expect(provider.exec).toEqual([
        {
          api_version: 'client.authentication.k8s.io/v1beta1',
          command: 'aws',
          args: ['eks', 'get-token', '--cluster-name', 'acme-prod', '--region', 'eu-west-1', '--output', 'json'],
        },
      ]);
    });

    test('THEN no VPC or subnet is looked up: dedicated nodes take the private subnets the cluster runs in', () => {
      expect(json.data('aws_vpc')).toEqual({});
      expect(json.data('aws_subnets')).toEqual({});
    });
  });

  describe('namespace, quota and limits', () => {
    test('THEN the namespace is labelled for the tenant, sidecar injection and restricted Pod Security', () => {
      expect(json.one('kubernetes_namespace_v1').metadata).toEqual({
        name: namespace,
        labels: {
          'app.kubernetes.io/managed-by': 'tenantctl',
          'tenantctl.io/tenant': id,
          'tenantctl.io/tier': tierName,
          'istio-injection': 'enabled',
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/audit': 'restricted',
        },
      });
    });

    test("THEN the ResourceQuota is the tier's, with no load balancers or node ports", () => {
      const quota = json.one('kubernetes_resource_quota_v1');
      expect(quota.metadata.namespace).toBe(nsRef(json));
      expect(quota.spec.hard).toEqual({
        'requests.cpu': tier.quota.cpu,
        'limits.cpu': tier.quota.cpuLimit,
        'requests.memory': tier.quota.memory,
        'limits.memory': tier.quota.memoryLimit,
        pods: String(tier.quota.pods),
        services: String(tier.quota.services),
        'services.loadbalancers': '0',
        'services.nodeports': '0',
        persistentvolumeclaims: String(tier.quota.persistentVolumeClaims),
        'requests.storage': tier.quota.storage,
        secrets: String(tier.quota.secrets),
        configmaps: String(tier.quota.configMaps),
      });
    });

    test("THEN the LimitRange gives containers the tier's defaults and maxima", () => {
      const limits = json.one('kubernetes_limit_range_v1');
      const lr = tier.limitRange;
      expect(limits.metadata.namespace).toBe(nsRef(json));
      expect(limits.spec.limit).toEqual([
        {
          type: 'Container',
          default: { cpu: lr.defaultCpu, memory: lr.defaultMemory },
          default_request: { cpu: lr.defaultRequestCpu, memory: lr.defaultRequestMemory },
          max: { cpu: lr.maxCpu, memory: lr.maxMemory },
        },
      ]);
    });
  });

  describe('network policies', () => {
    test('THEN every policy is in the namespace, selects every pod and the set is exactly the default one', () => {
      const policies = Object.values(json.resources('kubernetes_network_policy_v1'));
      expect(policies.map((p) => p.metadata.name).sort()).toEqual(
        [
          'allow-aws-sts',
          'allow-database',
          'allow-dns',
          'allow-ingress-gateway',
          'allow-istiod',
          'allow-prometheus',
          'allow-same-namespace',
          'allow-shared-services',
          'allow-tracing',
          'default-deny',
        ].sort(),
      );
      for (const p of policies) {
        expect(p.metadata.namespace).toBe(nsRef(json));
        expect(p.spec.pod_selector).toEqual({});
      }
    });

    test('THEN the default policy denies ingress and egress', () => {
      const deny = policyNamed(json, 'default-deny');
      expect(deny.spec.policy_types).toEqual(['Ingress', 'Egress']);
      expect(deny.spec.ingress).toBeUndefined();
      expect(deny.spec.egress).toBeUndefined();
    });

    test('THEN pods of the namespace reach each other both ways', () => {
      expect(policyNamed(json, 'allow-same-namespace').spec).toEqual({
        pod_selector: {},
        policy_types: ['Ingress', 'Egress'],
        ingress: [{ from: [{ pod_selector: {} }] }],
        egress: [{ to: [{ pod_selector: {} }] }],
      });
    });

    test('THEN DNS goes only to kube-dns pods in kube-system, UDP and TCP 53', () => {
      expect(policyNamed(json, 'allow-dns').spec.egress).toEqual([
        {
          to: [
            {
              namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'kube-system' } },
              pod_selector: { match_labels: { 'k8s-app': 'kube-dns' } },
            },
          ],
          ports: [
            { protocol: 'UDP', port: '53' },
            { protocol: 'TCP', port: '53' },
          ],
        },
      ]);
    });

    test('THEN ingress comes from the Istio ingress gateway pods and from Prometheus on the scrape ports', () => {
      expect(policyNamed(json, 'allow-ingress-gateway').spec).toMatchObject({
        policy_types: ['Ingress'],
        ingress: [
          {
            from: [
              {
                namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'istio-system' } },
                pod_selector: { match_labels: { app: 'istio-ingressgateway', istio: 'ingressgateway' } },
              },
            ],
          },
        ],
      });
      expect(policyNamed(json, 'allow-prometheus').spec.ingress).toEqual([
        {
          from: [
            {
              namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'monitoring' } },
              pod_selector: { match_labels: { 'app.kubernetes.io/name': 'prometheus' } },
            },
          ],
          ports: [
            { protocol: 'TCP', port: '15020' },
            { protocol: 'TCP', port: '15090' },
          ],
        },
      ]);
    });

    test('THEN sidecars reach istiod on 15012 and the trace collector on 4317 only', () => {
      expect(policyNamed(json, 'allow-istiod').spec.egress).toEqual([
        {
          to: [
            {
              namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'istio-system' } },
              pod_selector: { match_labels: { app: 'istiod' } },
            },
          ],
          ports: [{ protocol: 'TCP', port: '15012' }],
        },
      ]);
      expect(policyNamed(json, 'allow-tracing').spec.egress).toEqual([
        {
          to: [{ namespace_selector: { match_labels: { 'kubernetes.io/metadata.name': 'monitoring' } } }],
          ports: [{ protocol: 'TCP', port: '4317' }],
        },
      ]);
    });

    test('THEN the database is reached on 5432 only, in the database subnets where RDS Proxy lives', () => {
      expect(policyNamed(json, 'allow-database').spec.egress).toEqual([
        {
          to: ['10.0.200.0/24', '10.0.201.0/24', '10.0.202.0/24'].map((cidr) => ({ ip_block: { cidr } })),
          ports: [{ protocol: 'TCP', port: '5432' }],
        },
      ]);
      expect(platformSpec().network.databaseSubnets).toEqual(['10.0.200.0/24', '10.0.201.0/24', '10.0.202.0/24']);
    });

    test('THEN no policy admits every namespace (no empty namespace selector) and no peer is unrestricted', () => {
      for (const p of Object.values(json.resources('kubernetes_network_policy_v1'))) {
        for (const peer of peersOf(p)) {
          if ('namespace_selector' in peer) {
            const sel = peer.namespace_selector;
            expect(Object.keys(sel.match_labels ?? {}).length + (sel.match_expressions ?? []).length).toBeGreaterThan(0);
          }
          expect(Object.keys(peer).length).toBeGreaterThan(0);
          if (peer.ip_block) expect(peer.ip_block.cidr).not.toBe('0.0.0.0/0');
        }
      }
    });
  });

  describe('mesh', () => {
    test('THEN mTLS is STRICT in the namespace', () => {
      const pa = manifestOf(json, 'PeerAuthentication');
      expect(pa).toMatchObject({
        apiVersion: 'security.istio.io/v1',
        metadata: { name: 'default', namespace: nsRef(json) },
        spec: { mtls: { mode: 'STRICT' } },
      });
    });

    test('THEN callers from other namespaces than its own, istio-system and shared-services are denied', () => {
      expect(manifestNamed(json, 'AuthorizationPolicy', 'deny-other-tenants')).toMatchObject({
        apiVersion: 'security.istio.io/v1',
        metadata: { name: 'deny-other-tenants', namespace: nsRef(json) },
        spec: { action: 'DENY', rules: [{ from: [{ source: { notNamespaces: [namespace, 'istio-system', 'shared-services'] } }] }] },
      });
    });

    test("THEN the shared gateway routes the tenant's path prefix to its entry service (no domain)", () => {
      const vs = manifestOf(json, 'VirtualService');
      expect(vs.apiVersion).toBe('networking.istio.io/v1beta1');
      expect(vs.metadata).toMatchObject({ name: `tenant-${id}`, namespace: nsRef(json) });
      expect(vs.spec.gateways).toEqual(['istio-system/tenant-gateway']);
      expect(vs.spec.hosts).toEqual(['*']);
      expect(vs.spec.http).toEqual([
        { name: 'tenant-root', match: [{ uri: { exact: `/${id}` } }], redirect: { uri: `/${id}/` } },
        {
          name: 'tenant',
          match: [{ uri: { prefix: `/${id}/` } }],
          rewrite: { uri: '/' },
          route: [{ destination: { host: `gateway.${namespace}.svc.cluster.local`, port: { number: 8080 } }, ...REMOVE_TENANT_HEADER }],
        },
      ]);
    });

    test(`THEN its end users sign in to ${dedicated ? 'a user pool of its own' : 'the pooled user pool'}, and the namespace admits the gateway's requests only with their token`, () => {
      expect(tier.identity).toBe(dedicated ? 'dedicated' : 'pooled');
      expect(json.where('aws_cognito_user_pool', (p) => p.name === `acme-prod-tenant-${id}`)).toHaveLength(dedicated ? 1 : 0);
      expect(Object.values(json.data('aws_ssm_parameter'))).toEqual(dedicated ? [] : [{ name: '/acme-prod/identity/pooled-user-pool-id' }]);
      expect(manifestNamed(json, 'RequestAuthentication', 'tenant-identity').metadata.namespace).toBe(nsRef(json));
      expect(manifestNamed(json, 'AuthorizationPolicy', 'tenant-identity').spec.action).toBe('ALLOW');
    });

    test("THEN the tenant's services get the tier's connection pool, outlier detection and mutual TLS", () => {
      const dr = manifestOf(json, 'DestinationRule');
      expect(dr.apiVersion).toBe('networking.istio.io/v1beta1');
      expect(dr.metadata.name).toBe(`tenant-${id}-default`);
      expect(dr.spec).toEqual({
        host: `*.${namespace}.svc.cluster.local`,
        trafficPolicy: {
          connectionPool: {
            tcp: { maxConnections: tier.connectionPool.maxConnections },
            http: {
              http1MaxPendingRequests: tier.connectionPool.http1MaxPendingRequests,
              http2MaxRequests: tier.connectionPool.http2MaxRequests,
              maxRequestsPerConnection: tier.connectionPool.maxRequestsPerConnection,
            },
          },
          outlierDetection: tier.outlierDetection,
          tls: { mode: 'ISTIO_MUTUAL' },
        },
      });
    });

    test("THEN every sidecar's inbound traffic is rate limited to the tier's requests per second", () => {
      const ef = manifestOf(json, 'EnvoyFilter');
      expect(ef.apiVersion).toBe('networking.istio.io/v1alpha3');
      expect(ef.metadata).toMatchObject({ name: `tenant-${id}-ratelimit`, namespace: nsRef(json) });
      expect(ef.spec.workloadSelector).toBeUndefined();
      const [patch] = ef.spec.configPatches;
      expect(patch.applyTo).toBe('HTTP_FILTER');
      expect(patch.match.context).toBe('SIDECAR_INBOUND');
      expect(patch.patch.operation).toBe('INSERT_BEFORE');
      const filter = patch.patch.value;
      expect(filter.name).toBe('envoy.filters.http.local_ratelimit');
      expect(filter.typed_config).toMatchObject({
        '@type': 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit',
        token_bucket: { max_tokens: tier.requestsPerSecond, tokens_per_fill: tier.requestsPerSecond, fill_interval: '1s' },
        filter_enabled: { default_value: { numerator: 100, denominator: 'HUNDRED' } },
        filter_enforced: { default_value: { numerator: 100, denominator: 'HUNDRED' } },
        response_headers_to_add: [{ header: { key: 'x-tenantctl-rate-limited', value: 'true' } }],
      });
    });

    const serviceEntry = (name: string) =>
      json.where('kubernetes_manifest', (m) => m.manifest.kind === 'ServiceEntry' && m.manifest.metadata.name === name).map((m) => m.manifest)[0];

    test('THEN regional STS is a registered external service (TLS passthrough), for this namespace only', () => {
      expect(serviceEntry('aws-sts').spec).toEqual({
        hosts: ['sts.eu-west-1.amazonaws.com'],
        exportTo: ['.'],
        location: 'MESH_EXTERNAL',
        resolution: 'DNS',
        ports: [{ number: 443, name: 'tls-sts', protocol: 'TLS' }],
      });
    });

    test('THEN RDS Proxy is a registered external service, for this namespace only', () => {
      expect(serviceEntry('rds-proxy')).toEqual({
        apiVersion: 'networking.istio.io/v1beta1',
        kind: 'ServiceEntry',
        metadata: { name: 'rds-proxy', namespace: nsRef(json), labels: { 'app.kubernetes.io/managed-by': 'tenantctl', 'tenantctl.io/tenant': id } },
        spec: {
          hosts: [`${dataRef(json, 'aws_db_proxy')}endpoint}`],
          exportTo: ['.'],
          location: 'MESH_EXTERNAL',
          resolution: 'DNS',
          ports: [{ number: 5432, name: 'tcp-postgres', protocol: 'TCP' }],
        },
      });
    });
  });

  describe('access', () => {
    const role = json.one('kubernetes_role_v1');
    const granted = (resource: string) => role.rule.filter((r: any) => r.resources.includes(resource));

    test('THEN tenant-admin manages workloads in the namespace and reads (only) its Istio routing', () => {
      expect(role.metadata).toMatchObject({ name: TENANT_ADMIN_ROLE, namespace: nsRef(json) });
      for (const resource of [
        'pods',
        'services',
        'configmaps',
        'secrets',
        'persistentvolumeclaims',
        'serviceaccounts',
        'deployments',
        'statefulsets',
        'jobs',
        'cronjobs',
      ]) {
        expect(granted(resource).flatMap((r: any) => r.verbs)).toEqual(
          expect.arrayContaining(['get', 'list', 'create', 'update', 'patch', 'delete']),
        );
      }
      // Writing routes could bind another tenant's host on the shared gateway.
      for (const resource of ['virtualservices', 'destinationrules']) {
        expect(
          granted(resource)
            .flatMap((r: any) => r.verbs)
            .sort(),
        ).toEqual(['get', 'list', 'watch']);
      }
    });

    test('THEN tenant-admin cannot touch what isolates the tenant, and has no wildcards', () => {
      for (const resource of [
        'resourcequotas',
        'limitranges',
        'networkpolicies',
        'roles',
        'rolebindings',
        'peerauthentications',
        'authorizationpolicies',
        'envoyfilters',
        'sidecars',
        'namespaces',
        'daemonsets',
        'serviceaccounts/token',
      ]) {
        expect(granted(resource)).toEqual([]);
      }
      for (const rule of role.rule) {
        expect(rule.api_groups).not.toContain('*');
        expect(rule.resources).not.toContain('*');
        expect(rule.verbs).not.toContain('*');
        expect(rule.api_groups.every((g: string) => ['', 'apps', 'batch', 'autoscaling', 'policy', 'networking.istio.io'].includes(g))).toBe(true);
      }
    });

    test("THEN the Role is bound to the tenant's admin group", () => {
      expect(json.one('kubernetes_role_binding_v1')).toMatchObject({
        metadata: { name: TENANT_ADMIN_ROLE, namespace: nsRef(json) },
        role_ref: {
          api_group: 'rbac.authorization.k8s.io',
          kind: 'Role',
          name: `\${kubernetes_role_v1.${json.idOf('kubernetes_role_v1')}.metadata[0].name}`,
        },
        subject: [{ api_group: 'rbac.authorization.k8s.io', kind: 'Group', name: `tenant-${id}-admins` }],
      });
    });

    test('THEN an admin principal gets an access entry in the admin group with namespace-scoped view only', () => {
      if (!tenant.adminPrincipalArn) {
        expect(json.resources('aws_eks_access_entry')).toEqual({});
        expect(json.resources('aws_eks_access_policy_association')).toEqual({});
        return;
      }
      const cluster = `${dataRef(json, 'aws_eks_cluster')}name}`;
      expect(json.one('aws_eks_access_entry')).toEqual({
        cluster_name: cluster,
        principal_arn: ADMIN_ARN,
        type: 'STANDARD',
        kubernetes_groups: [`tenant-${id}-admins`],
      });
      expect(json.one('aws_eks_access_policy_association')).toEqual({
        cluster_name: cluster,
        principal_arn: `\${aws_eks_access_entry.${json.idOf('aws_eks_access_entry')}.principal_arn}`,
        policy_arn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy',
        access_scope: { type: 'namespace', namespaces: [namespace] },
      });
    });
  });

  describe('identity, database, nodes, scheduling and observability are composed', () => {
    test('THEN the IRSA role trusts the looked-up OIDC provider and names the proxy resource id', () => {
      // Without escapes: the references may sit in a policy document rendered as JSON text.
      const text = JSON.stringify(json.json.resource).replace(/\\/g, '');
      const data = (type: string) => dataRef(json, type).slice(2);
      expect(text).toContain(
        `arn:aws:iam::111122223333:oidc-provider/\${replace(${data('aws_eks_cluster')}identity[0].oidc[0].issuer, "https://", "")}`,
      );
      expect(text).toContain(`replace(${data('aws_eks_cluster')}identity[0].oidc[0].issuer, "https://", "")`);
      expect(text).toContain(`element(split(":", ${data('aws_db_proxy')}arn), 6)`);
      expect(json.one('kubernetes_service_account_v1').metadata.namespace).toBe(nsRef(json));
    });

    test('THEN the database provisioning job connects through the looked-up proxy', () => {
      expect(JSON.stringify(json.resources('kubernetes_job_v1'))).toContain(`${dataRef(json, 'aws_db_proxy')}endpoint}`);
    });

    test('THEN dedicated nodes exist exactly for dedicated tiers, in the private subnets', () => {
      const groups = Object.values(json.resources('aws_eks_node_group'));
      if (!dedicated) return expect(groups).toEqual([]);
      expect(groups).toHaveLength(1);
      expect(groups[0].subnet_ids).toBe(`\${tolist(${dataRef(json, 'aws_eks_cluster').slice(2)}vpc_config[0].subnet_ids)}`);
      expect(groups[0].node_group_name).toBe(`tenant-${id}`);
    });

    test('THEN the scheduling policy and the alerts are in the namespace (Prometheus confines the alerts to it)', () => {
      expect(manifestOf(json, 'Policy').metadata.namespace).toBe(nsRef(json));
      const [alertsId, alerts] = Object.entries(json.resources('kubernetes_manifest')).find(
        ([, m]: [string, any]) => m.manifest.kind === 'PrometheusRule',
      )!;
      expect({ alertsId, namespace: alerts.manifest.metadata.namespace }).toEqual({ alertsId, namespace: `tenant-${id}` });
      expect(alerts.depends_on).toContain(`kubernetes_namespace_v1.${json.idOf('kubernetes_namespace_v1')}`);
    });
  });

  describe('schema', () => {
    const manifests = Object.values(json.resources('kubernetes_manifest')).map((m) => m.manifest);

    test('THEN every kubernetes_manifest with a published schema is valid against it', () => {
      const modelled = manifests.filter((m) => isKnownKind(m.apiVersion, m.kind));
      expect(modelled.map((m) => m.kind).sort()).toEqual([
        'AlertmanagerConfig',
        'AuthorizationPolicy',
        'AuthorizationPolicy',
        'DestinationRule',
        'EnvoyFilter',
        'PeerAuthentication',
        'Policy',
        'PrometheusRule',
        'RequestAuthentication',
        'ServiceEntry',
        'ServiceEntry',
        'VirtualService',
      ]);
      expect(modelled.map(validateManifest).filter(Boolean)).toEqual([]);
    });

    test('THEN no object lacks a schema (Kyverno, Istio and prometheus-operator CRDs included)', () => {
      expect(manifests.filter((m) => !isKnownKind(m.apiVersion, m.kind)).map((m) => `${m.apiVersion} ${m.kind}`)).toEqual([]);
    });
  });
});

describe('TenantStack network overrides', () => {
  const open = synthTenant({ id: 'open', tier: 'standard', overrides: { network: { denyEgress: false } } }).json;
  const partner = synthTenant({
    id: 'partner',
    tier: 'standard',
    overrides: {
      network: {
        allowEgress: [
          { cidr: '203.0.113.0/24', ports: [443, 8443] },
          { cidr: '198.51.100.7/32', ports: [22] },
        ],
      },
    },
  }).json;

  test('GIVEN denyEgress false THEN the default policy denies ingress only', () => {
    expect(policyNamed(open, 'default-deny').spec.policy_types).toEqual(['Ingress']);
  });

  test('GIVEN denyEgress false THEN no policy selects Egress, which would isolate egress again', () => {
    const policies = Object.values(open.resources('kubernetes_network_policy_v1'));
    expect(policies.map((p) => p.metadata.name).sort()).toEqual([
      'allow-ingress-gateway',
      'allow-prometheus',
      'allow-same-namespace',
      'default-deny',
    ]);
    for (const p of policies) {
      expect(p.spec.policy_types).not.toContain('Egress');
      expect(p.spec.egress).toBeUndefined();
    }
  });

  test('GIVEN allowEgress THEN each destination is allowed by CIDR on its TCP ports, beside the default egress rules', () => {
    expect(policyNamed(partner, 'allow-egress-overrides').spec).toEqual({
      pod_selector: {},
      policy_types: ['Egress'],
      egress: [
        {
          to: [{ ip_block: { cidr: '203.0.113.0/24' } }],
          ports: [
            { protocol: 'TCP', port: '443' },
            { protocol: 'TCP', port: '8443' },
          ],
        },
        { to: [{ ip_block: { cidr: '198.51.100.7/32' } }], ports: [{ protocol: 'TCP', port: '22' }] },
      ],
    });
    expect(policyNamed(partner, 'default-deny').spec.policy_types).toEqual(['Ingress', 'Egress']);
  });
});

describe('TenantStack with a platform domain', () => {
  const { json } = synthTenant({ id: 'acme', tier: 'standard' }, { domain: 'saas.example.com' });
  const vs = manifestOf(json, 'VirtualService');

  test("THEN the VirtualService routes the tenant's own host, every path, to its entry service", () => {
    expect(vs.spec.hosts).toEqual(['acme.saas.example.com']);
    expect(vs.spec.http).toEqual([
      {
        name: 'tenant',
        route: [{ destination: { host: 'gateway.tenant-acme.svc.cluster.local', port: { number: 8080 } }, ...REMOVE_TENANT_HEADER }],
      },
    ]);
    expect(validateManifest(vs)).toBeUndefined();
  });
});

describe('TenantStack for a removed tenant', () => {
  test('THEN it refuses and points at RemovedTenantStack', () => {
    const { platform, tenant } = tenantOf({ id: 'gone', tier: 'starter', status: 'removed' });
    expect(() => new TenantStack(Testing.app(), { platform, tenant })).toThrow(/status removed: build its stack with RemovedTenantStack/);
  });
});
