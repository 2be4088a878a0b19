import { ClusterRoleBindingV1 } from '@cdktf/provider-kubernetes/lib/cluster-role-binding-v1';
import { ClusterRoleV1 } from '@cdktf/provider-kubernetes/lib/cluster-role-v1';
import { RoleBindingV1 } from '@cdktf/provider-kubernetes/lib/role-binding-v1';
import { RoleV1, type RoleV1Rule } from '@cdktf/provider-kubernetes/lib/role-v1';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { APP_PROJECT_DENIED_KINDS } from '../../../src/model/gitops';
import { IN_CLUSTER_SERVER, SERVICE_DNS_SUFFIX, TENANT_ENTRY_SERVICE, platformNames, tenantNames, type TenantNames } from '../../../src/model/names';
import { alertsTopicArn } from '../../../src/model/alert-delivery';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import { SQL_JOB_HASH_LENGTH } from '../database/sql-job';
import { TENANT_ADMIN_RULES } from '../tenant/tenant-access';
import { TENANT_LABEL, TIER_LABEL } from '../../../src/model/labels';
import { LOCAL_RATE_LIMIT_PATCH } from '../tenant/tenant-mesh';
import { TENANT_NAMESPACE_POLICY_LABELS } from '../tenant/tenant-namespace';
import { celString, celTemplate, tenantSqlJobValidations } from './sql-job-admission';
import { descriptorFileKey, tenantDescriptorParts } from '../../../src/model/rate-limit';
import { analysisValidations } from './analysis-admission';
import { validatingAdmissionPolicy } from './validating-admission-policy';

/** Argo CD kinds a tenant stack writes in Argo CD's namespace: admission checks them. */
export const TENANT_GITOPS_RESOURCES = ['appprojects', 'applications'] as const;

/** What the Kubernetes provider does with the objects it manages: no list or watch. */
export const MANAGE = ['get', 'create', 'update', 'patch', 'delete'];

/**
 * Every kind a tenant stack manages inside its own namespace, beyond the tenant admins' rules
 * (which the pipeline must hold to create the tenant-admin Role: RBAC refuses to grant what the
 * granter lacks). Bound in the tenant's namespace only, by the tenant stack (TenantDeployerBinding).
 */
export const TENANT_NAMESPACE_KINDS: readonly { readonly apiGroup: string; readonly resources: readonly string[] }[] = [
  { apiGroup: '', resources: ['resourcequotas', 'limitranges', 'serviceaccounts'] },
  { apiGroup: 'networking.k8s.io', resources: ['networkpolicies'] },
  { apiGroup: 'rbac.authorization.k8s.io', resources: ['roles', 'rolebindings'] },
  { apiGroup: 'security.istio.io', resources: ['peerauthentications', 'authorizationpolicies', 'requestauthentications'] },
  { apiGroup: 'networking.istio.io', resources: ['virtualservices', 'destinationrules', 'serviceentries', 'envoyfilters'] },
  { apiGroup: 'kyverno.io', resources: ['policies'] },
  // Its alert rules: Prometheus confines their expressions to the namespace (enforcedNamespaceLabel);
  // and their delivery: Alertmanager confines each AlertmanagerConfig to its namespace's alerts (OnNamespace).
  { apiGroup: 'monitoring.coreos.com', resources: ['prometheusrules', 'alertmanagerconfigs'] },
  /** The canary gates of the tenant's Rollouts (with a service catalog). */
  { apiGroup: 'argoproj.io', resources: ['analysistemplates'] },
];

/** Kinds a tenant stack manages in a shared namespace, by namespace key; admission pins their names to the tenant. */
export const TENANT_SHARED_NAMESPACE_KINDS = {
  tenantProvisioning: [
    { apiGroup: 'batch', resources: ['jobs'] },
    { apiGroup: '', resources: ['configmaps'] },
  ],
  /** Its dashboard (Grafana's sidecar reads this namespace only). */
  monitoring: [{ apiGroup: '', resources: ['configmaps'] }],
  /** The tenant's rate limit descriptor (its content is checked by the rate limit service's own admission policy). */
  rateLimit: [{ apiGroup: '', resources: ['configmaps'] }],
  /** Only a purging pipeline (the purge group): the master identity's Job. */
  platform: [
    { apiGroup: 'batch', resources: ['jobs'] },
    { apiGroup: '', resources: ['configmaps'] },
  ],
  /** With GitOps: the tenant's AppProject and Applications in Argo CD's namespace. */
  gitops: [{ apiGroup: 'argoproj.io', resources: [...TENANT_GITOPS_RESOURCES] }],
} as const;

export interface TenantDeployerAccessProps {
  readonly platform: PlatformSpec;
  /** The namespaces and add-ons (the monitoring CRDs) the roles refer to. */
  readonly dependsOn?: ITerraformDependable[];
}

const rule = (apiGroup: string, resources: readonly string[], verbs: string[], resourceNames?: string[]): RoleV1Rule => ({
  apiGroups: [apiGroup],
  resources: [...resources],
  verbs,
  ...(resourceNames ? { resourceNames } : {}),
});

/**
 * Kubernetes RBAC and admission for tenant pipelines under Terraform Cloud, the same for every
 * tenant, so this stack never changes when tenants come and go. A tenant run role's access entry
 * (bootstrap stack) carries the group `tenantctl:tenant-deployers` and its own
 * `tenantctl:tenant:<id>`, and AmazonEKSAdminPolicy on its namespace. Here:
 *
 * - the ClusterRole `tenantctl:tenant-deployer`, everything the tenant stack manages inside its
 *   namespace, which the tenant stack binds there to its own group (it may `bind` only this role);
 * - cluster-wide, creating namespaces and managing them by name (RBAC cannot limit `create` by
 *   name), and in the provisioning and monitoring namespaces the few kinds a tenant stack keeps
 *   there (and its rate limit descriptor); in the platform namespace, Jobs for a purging pipeline only;
 * - a ValidatingAdmissionPolicy (in the API server, no webhook to fail open) that lets a
 *   pipeline write only objects named for its own tenant: its namespace (still labelled for it,
 *   sidecar-injected and Pod Security restricted), its provisioning Job running as the tenant
 *   provisioner, its dashboard (its alert rules live in its namespace), its rate limit descriptor, and while purging its
 *   purge Job running as the tenant purger (both Jobs and their SQL exactly as tenantctl
 *   synthesizes them); and the Istio objects whose effect reaches past the namespace only as far
 *   as the tenant: VirtualServices on the tenant gateway for its own host (or path prefix) to its
 *   own Services, DestinationRules for its own Services, ServiceEntries visible to its namespace
 *   only, EnvoyFilters that only add the local rate limit; with GitOps, its own AppProject, fenced
 *   as APP_PROJECT_DENIED_KINDS says, and its own Applications, in that project and namespace.
 *
 * Reads of shared namespaces are by name only (get): the provider never lists.
 */
export class TenantDeployerAccess extends Construct {
  constructor(scope: Construct, id: string, props: TenantDeployerAccessProps) {
    super(scope, id);
    const { platform, dependsOn } = props;
    const names = platformNames(platform);
    const groups = names.tenantDeployers;
    const ns = names.namespaces;
    const group = (name: string) => [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name }];
    const labels = { 'app.kubernetes.io/managed-by': 'tenantctl' };

    const namespaceRole = new ClusterRoleV1(this, 'namespace-role', {
      dependsOn,
      metadata: { name: groups.namespaceRole, labels },
      rule: [...TENANT_ADMIN_RULES.map((r) => ({ ...r })), ...TENANT_NAMESPACE_KINDS.map((k) => rule(k.apiGroup, k.resources, MANAGE))],
    });
    const clusterRole = new ClusterRoleV1(this, 'cluster-role', {
      dependsOn,
      metadata: { name: groups.clusterRole, labels },
      rule: [rule('', ['namespaces'], MANAGE), rule('rbac.authorization.k8s.io', ['clusterroles'], ['bind'], [namespaceRole.metadata.name])],
    });
    new ClusterRoleBindingV1(this, 'cluster-role-binding', {
      metadata: { name: groups.clusterRole, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRole.metadata.name },
      subject: group(groups.group),
    });

    const shared: [keyof typeof TENANT_SHARED_NAMESPACE_KINDS, string][] = [
      ['tenantProvisioning', groups.group],
      ['monitoring', groups.group],
      ['rateLimit', groups.group],
      ['platform', groups.purgeGroup],
      ...(platform.gitops ? [['gitops', groups.group] as [keyof typeof TENANT_SHARED_NAMESPACE_KINDS, string]] : []),
    ];
    for (const [key, subject] of shared) {
      const role = new RoleV1(this, `${key}-role`, {
        dependsOn,
        metadata: { name: groups.clusterRole, namespace: ns[key], labels },
        rule: TENANT_SHARED_NAMESPACE_KINDS[key].map((k) => rule(k.apiGroup, k.resources, MANAGE)),
      });
      new RoleBindingV1(this, `${key}-role-binding`, {
        metadata: { name: groups.clusterRole, namespace: ns[key], labels },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name },
        subject: group(subject),
      });
    }

    validatingAdmissionPolicy(this, 'admission-policy', { name: groups.admissionPolicy, spec: admissionPolicySpec(platform), dependsOn });
  }
}

/**
 * A tenant name as a CEL expression of `variables.tenant`: `tenantNames` is the only place names
 * are built, so the policy asks it for the name of a marker tenant and splices the variable in.
 */
/**
 * A tenant's AlertmanagerConfig publishes only to its own topic: Alertmanager's one IRSA role may
 * publish to every tenant's topic and the platform's, so a topic ARN of another would send forged
 * alerts to their subscribers; and the request goes to SNS itself (no `apiURL`, which would carry
 * the signed request elsewhere), never to a phone or mobile endpoint billed to the platform.
 */
function alertDeliveryValidation(platform: PlatformSpec, name: (pick: (n: TenantNames) => string) => string) {
  const topicArn = `'${alertsTopicArn(platform, '')}' + ${name((n) => n.alertsTopic)}`;
  const sns = (c: string) =>
    `${c}.topicARN == ${topicArn} && !has(${c}.apiURL) && !has(${c}.targetARN) && !has(${c}.phoneNumber) && !has(${c}.httpConfig)`;
  return {
    expression:
      `request.resource.resource != 'alertmanagerconfigs' || request.operation == 'DELETE' || ` +
      `!has(object.spec.receivers) || object.spec.receivers.all(r, !has(r.snsConfigs) || r.snsConfigs.all(c, ${sns('c')}))`,
    message:
      "a tenant's AlertmanagerConfig publishes only to the tenant's own alerts topic, through SNS itself (no apiURL, target ARN, phone number or HTTP settings)",
  };
}

function celName(platform: PlatformSpec, pick: (n: TenantNames) => string): string {
  const marker = 'tenantidmarker';
  return pick(tenantNames(platform, marker))
    .split(marker)
    .map((part) => `'${part}'`)
    .join(' + variables.tenant + ');
}

/** The policy's match, variables and validations (CEL), exported for the tests to evaluate. */
export function admissionPolicySpec(platform: PlatformSpec): Record<string, unknown> {
  const names = platformNames(platform);
  const groups = names.tenantDeployers;
  const ns = names.namespaces;
  const name = (pick: (n: TenantNames) => string) => celName(platform, pick);
  const job = (pick: (n: TenantNames) => string) => `'^' + ${name(pick)} + '-[0-9a-f]{${SQL_JOB_HASH_LENGTH}}$'`;
  const writes = ['CREATE', 'UPDATE', 'DELETE'];
  const label = (key: string) => `(has(object.metadata.labels) && '${key}' in object.metadata.labels ? object.metadata.labels['${key}'] : '')`;
  return {
    failurePolicy: 'Fail',
    matchConstraints: {
      resourceRules: [
        { apiGroups: [''], apiVersions: ['v1'], operations: writes, resources: ['namespaces', 'configmaps', 'resourcequotas'] },
        { apiGroups: ['batch'], apiVersions: ['v1'], operations: writes, resources: ['jobs'] },
        { apiGroups: ['monitoring.coreos.com'], apiVersions: ['*'], operations: writes, resources: ['prometheusrules', 'alertmanagerconfigs'] },
        // Deleting a route or rule takes nothing from anyone else.
        { apiGroups: ['networking.istio.io'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: [...TENANT_MESH_KINDS] },
        ...(platform.gitops ? [{ apiGroups: ['argoproj.io'], apiVersions: ['*'], operations: writes, resources: [...TENANT_GITOPS_RESOURCES] }] : []),
        { apiGroups: ['argoproj.io'], apiVersions: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['analysistemplates'] },
      ],
    },
    matchConditions: [{ name: 'tenant-pipelines-only', expression: `'${groups.group}' in request.userInfo.groups` }],
    variables: [
      {
        name: 'tenants',
        expression:
          `request.userInfo.groups.filter(g, g.startsWith('${groups.tenantGroupPrefix}')).map(g, ` +
          `g.substring(${groups.tenantGroupPrefix.length}))`,
      },
      { name: 'tenant', expression: `variables.tenants.size() == 1 ? variables.tenants[0] : ''` },
      { name: 'purging', expression: `'${groups.purgeGroup}' in request.userInfo.groups` },
      ...entitlementVariables(platform),
    ],
    validations: [
      { expression: `variables.tenant != ''`, message: 'a tenant pipeline identity belongs to exactly one tenant group' },
      {
        expression: `request.namespace in ['', ${name((n) => n.namespace)}, ${[ns.tenantProvisioning, ns.monitoring, ns.rateLimit, ns.platform, ...(platform.gitops ? [ns.gitops] : [])].map((n) => `'${n}'`).join(', ')}]`,
        message: 'a tenant pipeline writes only in its own namespace and its objects of the shared namespaces',
      },
      {
        expression: `request.resource.resource != 'namespaces' || request.name == ${name((n) => n.namespace)}`,
        message: 'a tenant pipeline may manage only its own namespace',
      },
      {
        expression: `request.resource.resource != 'namespaces' || request.operation != 'DELETE' || variables.tier == ''`,
        message: "an active tenant's namespace is deleted only with the tenant (tenantctl tenant remove, then the bootstrap stack's apply)",
      },
      {
        expression: `request.resource.resource != 'namespaces' || request.operation == 'DELETE' || (${[`${label(TENANT_LABEL)} == variables.tenant`, `${label(TIER_LABEL)} == variables.tier`, ...Object.entries(TENANT_NAMESPACE_POLICY_LABELS).map(([key, value]) => `${label(key)} == '${value}'`)].join(' && ')})`,
        message: `a tenant namespace keeps its ${TENANT_LABEL} label, its ${TIER_LABEL} label at the tier its pipeline is entitled to, and ${Object.entries(
          TENANT_NAMESPACE_POLICY_LABELS,
        )
          .map(([key, value]) => `${key}=${value}`)
          .join(', ')}`,
      },
      ...quotaValidations(platform),
      {
        expression: `request.namespace != '${ns.tenantProvisioning}' || request.name.matches(${job((n) => n.provisionJob)})`,
        message: 'a tenant pipeline may manage only its own provisioning Job and its SQL',
      },
      {
        expression: `request.namespace != '${ns.monitoring}' || (request.resource.resource == 'configmaps' && request.name == ${name((n) => n.dashboard)})`,
        message: 'a tenant pipeline may manage only its own dashboard in the monitoring namespace (its alert rules live in its own namespace)',
      },
      {
        expression: `request.namespace != '${ns.rateLimit}' || request.name == ${name((n) => n.rateLimitDescriptor)}`,
        message: 'a tenant pipeline may manage only its own rate limit descriptor',
      },
      rateLimitValidation(platform),
      {
        expression: `request.namespace != '${ns.platform}' || (variables.purging && request.name.matches(${job((n) => n.purgeJob)}))`,
        message: 'only a purging tenant pipeline writes in the platform namespace, and only its own purge Job and its SQL',
      },
      alertDeliveryValidation(platform, name),
      ...tenantSqlJobValidations(platform, name),
      ...meshValidations(platform),
      ...analysisValidations(platform),
      ...(platform.gitops ? gitopsValidations(platform) : []),
    ],
  };
}

/**
 * The entitlements of the pipeline, from its groups (TenantRunRoleAccess): `tier` and `rateLimit`
 * (empty unless exactly one) and `quota`, the `<resource>=<quantity>` pairs its ResourceQuota must hold.
 */
function entitlementVariables(platform: PlatformSpec): { name: string; expression: string }[] {
  const { tierGroupPrefix, quotaGroupPrefix, rateLimitGroupPrefix } = platformNames(platform).tenantDeployers;
  const claims = (prefix: string) => `request.userInfo.groups.filter(g, g.startsWith('${prefix}')).map(g, g.substring(${prefix.length}))`;
  const single = (list: string) => `variables.${list}.size() == 1 ? variables.${list}[0] : ''`;
  return [
    { name: 'tiers', expression: claims(tierGroupPrefix) },
    { name: 'tier', expression: single('tiers') },
    { name: 'quota', expression: claims(quotaGroupPrefix) },
    { name: 'rateLimits', expression: claims(rateLimitGroupPrefix) },
    { name: 'rateLimit', expression: single('rateLimits') },
  ];
}

/**
 * The tenant's ResourceQuota is the capacity it takes from the shared nodes: a pipeline writes
 * only the one tenantctl names, unscoped, with exactly the hard limits its identity carries
 * (compared as quantities: the API server canonicalizes them), and deletes it only once the
 * tenant is removed (its identity then carries no quota). Other objects of the namespace
 * (LimitRange, NetworkPolicies, its own mesh policy) reach no other tenant.
 */
function quotaValidations(platform: PlatformSpec): { expression: string; message: string }[] {
  const names = platformNames(platform);
  const key = (q: string) => `${q}.substring(0, ${q}.indexOf('='))`;
  const value = (q: string) => `${q}.substring(${q}.indexOf('=') + 1)`;
  const quota = (expression: string) => `request.resource.resource != 'resourcequotas' || (${expression})`;
  return [
    {
      expression: quota(`request.name == '${names.tenantQuota}'`),
      message: `a tenant pipeline writes only the ResourceQuota ${names.tenantQuota}`,
    },
    {
      expression: quota(`request.operation != 'DELETE' || variables.quota.size() == 0`),
      message: "a tenant's ResourceQuota is deleted only with the tenant (tenantctl tenant remove, then the bootstrap stack's apply)",
    },
    {
      expression: quota(
        [
          `request.operation == 'DELETE'`,
          `(!has(object.spec.scopes) && !has(object.spec.scopeSelector) && has(object.spec.hard) && object.spec.hard.size() == ` +
            `variables.quota.size() && ` +
            `variables.quota.all(q, ${key('q')} in object.spec.hard && quantity(object.spec.hard[${key('q')}]).compareTo(quantity(${value('q')})) == 0))`,
        ].join(' || '),
      ),
      message: "a tenant's ResourceQuota holds exactly the hard limits the bootstrap stack entitles its pipeline to, unscoped",
    },
  ];
}

/**
 * The tenant's rate limit descriptor is its share of the shared gateway: exactly the file
 * tenantctl writes for its namespace, at the requests per second its identity carries (the rate
 * limit namespace's own policy checks only the file's shape, for every writer).
 */
function rateLimitValidation(platform: PlatformSpec): { expression: string; message: string } {
  const names = platformNames(platform);
  const marker = 'tenantidmarker';
  const { head, tail } = tenantDescriptorParts(tenantNames(platform, marker).namespace);
  const file = celTemplate(descriptorFileKey(tenantNames(platform, marker).rateLimitDescriptor), { [marker]: 'variables.tenant' });
  const expected = `${celTemplate(head, { [marker]: 'variables.tenant' })} + variables.rateLimit + ${celString(tail)}`;
  return {
    expression:
      `request.namespace != '${names.namespaces.rateLimit}' || request.operation == 'DELETE' || (variables.rateLimit != '' && ` +
      `!has(object.binaryData) && has(object.data) && object.data.size() == 1 && ${file} in object.data && object.data[${file}] == ${expected})`,
    message: "a tenant's rate limit descriptor holds the requests per second the bootstrap stack entitles its pipeline to",
  };
}

/** Istio's name for the sidecars of the mesh in a VirtualService's `gateways`. */
export const MESH_GATEWAY = 'mesh';

/** Istio kinds a tenant stack writes whose effect can reach past its namespace: admission checks them. */
export const TENANT_MESH_KINDS = ['virtualservices', 'destinationrules', 'serviceentries', 'envoyfilters'] as const;

/**
 * What the tenant's Istio objects may say. The shared gateway accepts every tenant host and a
 * VirtualService, DestinationRule or ServiceEntry is visible to every namespace unless exported
 * to its own: so a VirtualService that binds the tenant gateway binds only it, only the tenant's
 * host (without a domain every host is shared, so only routes matching the tenant's path prefix),
 * and routes, without delegation or mirroring, only to the tenant's entry Service (the gateway's
 * rate limit counts per destination cluster: more destinations would multiply the limit); any
 * other VirtualService is mesh-internal (a canary's split): bound to `mesh` only, exported to its
 * namespace only, naming and routing to the namespace's own Services (the gateway never reads it); a
 * DestinationRule applies only to the tenant's Services; a ServiceEntry is exported to its own
 * namespace only; an EnvoyFilter (which reaches only the namespace's own sidecars) may only
 * insert the local rate limit, never remove or replace a filter.
 */
export function meshValidations(platform: PlatformSpec): { expression: string; message: string }[] {
  const names = platformNames(platform);
  const namespace = celName(platform, (n) => n.namespace);
  const suffix = SERVICE_DNS_SUFFIX.split('.')
    .map((part) => `[.]${part}`)
    .join('');
  // A Service of the tenant's namespace: its short name (Istio reads it in the rule's namespace) or its full name.
  const service = (host: string, wildcard = false) =>
    `${host}.matches('^(${wildcard ? '([*]|[a-z0-9-]+)' : '[a-z0-9-]+'}[.]' + ${namespace} + '${suffix}|[a-z0-9-]+)$')`;
  const kind = (resource: string, expression: string) => `request.resource.resource != '${resource}' || (${expression})`;
  // The entry Service of the tenant's namespace, by short or full name, at its port, whole (no subset).
  const entryHost = `'^${TENANT_ENTRY_SERVICE.name}([.]' + ${namespace} + '${suffix})?$'`;
  const entry = (d: string) =>
    `${d}.host.matches(${entryHost}) && !has(${d}.subset) && (!has(${d}.port) || !has(${d}.port.number) || ${d}.port.number == ` +
    `${TENANT_ENTRY_SERVICE.port})`;
  const prefix = celName(platform, (n) => n.pathPrefix);
  const root = celName(platform, (n) => n.pathPrefix.slice(0, -1));
  const pathMatch =
    `has(m.uri) && ((has(m.uri.prefix) && m.uri.prefix.startsWith(${prefix})) || (has(m.uri.exact) && (m.uri.exact == ` +
    `${root} || m.uri.exact.startsWith(${prefix}))))`;
  const hosts = platform.domain
    ? `object.spec.hosts.size() == 1 && object.spec.hosts[0] == ${celName(platform, (n) => n.host!)}`
    : `object.spec.hosts.size() == 1 && object.spec.hosts[0] == '*' && has(object.spec.http) && object.spec.http.all(h, has(h.match) && ` +
      `h.match.size() > 0 && h.match.all(m, ${pathMatch}))`;
  const patch = LOCAL_RATE_LIMIT_PATCH;
  // Bound to the shared gateway (the tenant's route in): held to its host and its entry Service.
  const ingress = `has(object.spec.gateways) && object.spec.gateways.size() == 1 && object.spec.gateways[0] == '${names.gateway}'`;
  // Bound to the mesh only and exported to the namespace only: its own sidecars' calls of its own Services (a canary's split).
  const meshInternal = `has(object.spec.gateways) && object.spec.gateways.size() == 1 && object.spec.gateways[0] == '${MESH_GATEWAY}' && has(object.spec.exportTo) && object.spec.exportTo.size() == 1 && object.spec.exportTo[0] == '.'`;
  const plainHttp = (route: string) =>
    `!has(object.spec.tcp) && !has(object.spec.tls) && (!has(object.spec.http) || object.spec.http.all(h, !has(h.delegate) && !has(h.mirror) && !has(h.mirrors) && (!has(h.route) || h.route.all(r, ${route}))))`;
  return [
    {
      expression: kind('virtualservices', `(${ingress}) || (${meshInternal})`),
      message: `a tenant's VirtualServices bind the gateway ${names.gateway} only, or are mesh-internal: bound to ${MESH_GATEWAY} only and exported to their namespace only (exportTo ".")`,
    },
    {
      expression: kind('virtualservices', `!(${ingress}) || (has(object.spec.hosts) && ${hosts} && !has(object.spec.tcp) && !has(object.spec.tls))`),
      message: platform.domain
        ? "a tenant's VirtualServices route only the tenant's own host, over HTTP"
        : "a tenant's VirtualServices route only requests under the tenant's own path prefix, over HTTP",
    },
    {
      expression: kind('virtualservices', `!(${ingress}) || (${plainHttp(entry('r.destination'))})`),
      message: `a tenant's VirtualServices route, without delegation or mirroring, only to the tenant's entry Service (${TENANT_ENTRY_SERVICE.name}, port ${TENANT_ENTRY_SERVICE.port}, no subset): the gateway's rate limit counts per destination, so one destination per tenant keeps the limit the tenant's`,
    },
    {
      expression: kind(
        'virtualservices',
        `!(${meshInternal}) || (has(object.spec.hosts) && object.spec.hosts.size() > 0 && object.spec.hosts.all(h, ${service('h')}) && ${plainHttp(`${service('r.destination.host')} && !has(r.destination.subset)`)})`,
      ),
      message:
        "a tenant's mesh-internal VirtualServices name and route to Services of the tenant's namespace only (no subset), over HTTP, without delegation or mirroring",
    },
    {
      expression: kind('destinationrules', service('object.spec.host', true)),
      message: "a tenant's DestinationRules apply only to Services of the tenant's namespace",
    },
    {
      expression: kind('serviceentries', `has(object.spec.exportTo) && object.spec.exportTo.size() == 1 && object.spec.exportTo[0] == '.'`),
      message: "a tenant's ServiceEntries are exported to the tenant's namespace only",
    },
    {
      expression: kind(
        'envoyfilters',
        `object.spec.configPatches.all(p, p.applyTo == '${patch.applyTo}' && p.match.context == '${patch.context}' && p.patch.operation == ` +
          `'${patch.operation}' && p.patch.value.name == '${patch.filter}')`,
      ),
      message: `a tenant's EnvoyFilters only insert the local rate limit (${patch.filter}) into the sidecars' inbound listeners`,
    },
  ];
}

/**
 * The tenant's Argo CD objects. Argo CD writes workloads with its own rights, outside this
 * policy: what holds a service team to its tenant is the AppProject (destinations the tenant's
 * namespace on this cluster only, no cluster-scoped kind, every APP_PROJECT_DENIED_KINDS kind
 * denied, used by Applications of Argo CD's namespace only) and each Application's project (its
 * own: another tenant's project would open that tenant's namespace) and destination. Names are
 * the tenant's: `tenant-<id>` and `tenant-<id>--<service>` (ids hold no `--`).
 */
function gitopsValidations(platform: PlatformSpec): { expression: string; message: string }[] {
  const ns = platformNames(platform).namespaces;
  const namespace = celName(platform, (n) => n.namespace);
  const project = celName(platform, (n) => n.appProject);
  const application = `'^' + ${celName(platform, (n) => n.application(''))} + '[a-z0-9]+(-[a-z0-9]+)*$'`;
  const kind = (resource: string, expression: string) =>
    `request.resource.resource != '${resource}' || request.operation == 'DELETE' || (${expression})`;
  const destination = (d: string) =>
    `has(${d}.server) && ${d}.server == '${IN_CLUSTER_SERVER}' && !has(${d}.name) && has(${d}.namespace) && ${d}.namespace == ${namespace}`;
  const group = (b: string) => `(has(${b}.group) ? ${b}.group : '')`;
  const denied = APP_PROJECT_DENIED_KINDS.map(
    (k) => `object.spec.namespaceResourceBlacklist.exists(b, ${group('b')} == '${k.group}' && b.kind == '${k.kind}')`,
  ).join(' && ');
  return [
    {
      expression:
        `request.namespace != '${ns.gitops}' || (request.resource.resource == 'appprojects' ? request.name == ${project} : ` +
        `request.name.matches(${application}))`,
      message: 'a tenant pipeline may manage only its own AppProject and Applications',
    },
    {
      expression: kind(
        'appprojects',
        `has(object.spec.destinations) && object.spec.destinations.size() > 0 && object.spec.destinations.all(d, ${destination('d')})`,
      ),
      message: "a tenant's AppProject deploys only into the tenant's namespace on this cluster",
    },
    {
      expression: kind(
        'appprojects',
        `(!has(object.spec.clusterResourceWhitelist) || object.spec.clusterResourceWhitelist.size() == 0) && !has(object.spec.sourceNamespaces)`,
      ),
      message: "a tenant's AppProject allows no cluster-scoped kind, and only Applications of Argo CD's namespace",
    },
    {
      expression: kind('appprojects', `has(object.spec.namespaceResourceBlacklist) && ${denied}`),
      message: `a tenant's AppProject denies ${APP_PROJECT_DENIED_KINDS.map((k) => `${k.group || 'core'}/${k.kind}`).join(', ')}`,
    },
    {
      expression: kind(
        'applications',
        `object.spec.project == ${project} && has(object.spec.destination) && ${destination('object.spec.destination')}`,
      ),
      message: "a tenant's Applications are in its own AppProject and deploy into its own namespace on this cluster",
    },
  ];
}
