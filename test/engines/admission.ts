import * as fs from 'fs';
import * as path from 'path';
import { TENANT_LABEL, TIER_LABEL } from '../../src/model/labels';
import { templatePath } from '../../src/paths';
import { SQL_FILE } from '../../stacks/constructs/database/sql-job';
import { renderChart } from '../chart-render';
import type { TerraformJson } from './aws-only';
import type { Stack } from './fixtures';
import type { Report } from './report';
import { nodeAdmissionCases } from './node-admission';
import { run, type Tools } from './tools';

/**
 * The admission engine: the ValidatingAdmissionPolicies of each fixture's cluster stack, compiled
 * and evaluated by test/engines/admission (Go: the API server's own CEL environment at the
 * cluster's Kubernetes version), against every Kubernetes object the fixture's tenant stacks
 * write, converted to the shape the API server hands admission, with each tenant pipeline's
 * groups as its bootstrap stack gives them. What a stack writes must be admitted to its own
 * pipeline; the same objects written by another tenant's pipeline, and deliberate breaches, denied.
 */

interface Policy {
  readonly name: string;
  readonly spec: TerraformJson;
}

export interface AdmissionCase {
  readonly name: string;
  readonly policy: string;
  readonly request: TerraformJson;
  readonly object: unknown;
  readonly oldObject?: unknown;
  readonly namespaceObject?: unknown;
  readonly allowed: boolean;
}

export interface AdmissionInput {
  readonly kubernetesVersion: string;
  readonly policies: readonly Policy[];
  readonly cases: readonly AdmissionCase[];
}

/** An object as the API server sees it, with what admission needs to find a policy. */
interface ApiObject {
  readonly group: string;
  readonly resource: string;
  readonly namespace: string;
  readonly name: string;
  readonly body: TerraformJson;
}

/** Typed resources of the Kubernetes provider: API group and resource. */
export const TYPED: Readonly<Record<string, [string, string]>> = {
  kubernetes_namespace_v1: ['', 'namespaces'],
  kubernetes_resource_quota_v1: ['', 'resourcequotas'],
  kubernetes_limit_range_v1: ['', 'limitranges'],
  kubernetes_service_account_v1: ['', 'serviceaccounts'],
  kubernetes_config_map_v1: ['', 'configmaps'],
  kubernetes_network_policy_v1: ['networking.k8s.io', 'networkpolicies'],
  kubernetes_role_v1: ['rbac.authorization.k8s.io', 'roles'],
  kubernetes_role_binding_v1: ['rbac.authorization.k8s.io', 'rolebindings'],
  kubernetes_job_v1: ['batch', 'jobs'],
};

/** Provider blocks whose API field is plural or named otherwise. */
const FIELD_NAMES: Readonly<Record<string, string>> = {
  container: 'containers',
  init_container: 'initContainers',
  toleration: 'tolerations',
  volume: 'volumes',
  volume_mount: 'volumeMounts',
  port: 'ports',
  limit: 'limits',
  rule: 'rules',
  subject: 'subjects',
};
/** Map-valued fields: their keys are data (label keys, resource names), never renamed. */
const MAPS = new Set([
  'labels',
  'annotations',
  'data',
  'binary_data',
  'hard',
  'node_selector',
  'match_labels',
  'default',
  'default_request',
  'max',
  'min',
  'requests',
  'limits',
]);
/** Provider-only arguments, not part of the object. */
const PROVIDER_ONLY = new Set([
  'depends_on',
  'wait_for_completion',
  'wait_for_default_service_account',
  'wait_for_rollout',
  'timeouts',
  'count',
  'provider',
  'lifecycle',
  '//',
]);

const camel = (key: string) => FIELD_NAMES[key] ?? key.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

/** A typed resource's arguments in the API's shape: camelCase fields, plural lists, references resolved. */
function apiShape(value: unknown, resolve: (s: string) => string, mapKeys = false): unknown {
  if (Array.isArray(value)) return value.map((v) => apiShape(v, resolve));
  if (typeof value === 'string') return resolve(value);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as TerraformJson)
      .filter(([k]) => mapKeys || !PROVIDER_ONLY.has(k))
      .map(([k, v]) => (mapKeys ? [k, apiShape(v, resolve)] : [camel(k), apiShape(v, resolve, MAPS.has(k))])),
  );
}

/** A value with every string resolved, keys and structure untouched. */
function resolveStrings(value: unknown, resolve: (s: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveStrings(v, resolve));
  if (typeof value === 'string') return resolve(value);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value as TerraformJson).map(([k, v]) => [k, resolveStrings(v, resolve)]));
}

/** Kinds as RBAC names them (AuthorizationPolicy -> authorizationpolicies). */
export const plural = (kind: string) => `${kind.toLowerCase().replace(/y$/, 'ie')}s`;

/** A proxy endpoint of the platform's RDS Proxy, in the shape RDS gives it. */
const proxyEndpoint = (proxyName: string, region: string) => `${proxyName}.proxy-c1a2b3d4e5f6.${region}.rds.amazonaws.com`;

/** Every Kubernetes object a stack writes, in API shape; `${...}` references resolved within the stack. */
export function stackObjects(stack: Stack, proxy: string): ApiObject[] {
  const resources = (stack.json.resource ?? {}) as Record<string, Record<string, TerraformJson>>;
  const resolve = (s: string): string =>
    s
      .replace(
        /\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.metadata\[0\]\.name\}/g,
        (_m, type: string, id: string) => resources[type]?.[id]?.metadata?.name ?? _m,
      )
      .replace(/\$\{data\.aws_db_proxy\.[^.}]+\.endpoint\}/g, proxy);
  const out: ApiObject[] = [];
  for (const [type, all] of Object.entries(resources)) {
    if (!type.startsWith('kubernetes_')) continue;
    for (const r of Object.values(all)) {
      if (type === 'kubernetes_manifest') {
        // A manifest is in the API's shape already: only its references resolve (its keys, such as an analysis' `provider`, stay).
        const m = resolveStrings(r.manifest, resolve) as TerraformJson;
        const [group] = String(m.apiVersion).includes('/') ? String(m.apiVersion).split('/') : [''];
        out.push({ group, resource: plural(m.kind), namespace: m.metadata.namespace ?? '', name: m.metadata.name, body: m });
        continue;
      }
      const typed = TYPED[type];
      if (!typed) throw new Error(`${stack.id}: no API group and resource known for ${type}: add it to TYPED in test/engines/admission.ts`);
      const body = apiShape(r, resolve) as TerraformJson;
      if (type === 'kubernetes_job_v1') {
        // What the API server defaults before admission sees the Job.
        body.spec.parallelism ??= 1;
        body.spec.completions ??= 1;
      }
      out.push({ group: typed[0], resource: typed[1], namespace: body.metadata.namespace ?? '', name: body.metadata.name, body });
    }
  }
  return out;
}

/** The admission request of `groups` writing `o`. */
function request(o: ApiObject, operation: string, groups: readonly string[]): TerraformJson {
  return {
    operation,
    namespace: o.namespace,
    name: o.name,
    resource: { group: o.group, resource: o.resource },
    userInfo: { username: 'pipeline', groups: [...groups] },
  };
}

const policyMatches = (policy: Policy, o: ApiObject, operation: string) =>
  ((policy.spec.matchConstraints?.resourceRules ?? []) as TerraformJson[]).some((r) =>
    [r.apiGroups, r.resources, r.operations].every((list: string[], i) => list.includes('*') || list.includes([o.group, o.resource, operation][i])),
  );

const edited = (o: ApiObject, edit: (body: TerraformJson) => void): ApiObject => {
  const body = structuredClone(o.body);
  edit(body);
  return { ...o, body };
};

/**
 * What Argo CD writes from the tenant-service chart of each of the stack's Applications (its
 * Rollout and mesh-internal VirtualService, rendered with the Application's values), as written,
 * and breaches of it: a VirtualService seen by every namespace or routing into another one, a
 * Rollout without the tenant's canary gates or analysed by a cluster-wide template.
 */
function canaryCases(stack: Stack, namespace: string): [string, ApiObject, boolean][] {
  const chartDir = templatePath('charts', 'tenant-service');
  const apps = Object.values<TerraformJson>(stack.json.resource?.kubernetes_manifest ?? {})
    .map((r) => r.manifest)
    .filter((m) => m.kind === 'Application' && m.spec.destination.namespace === namespace);
  return apps.flatMap((app) => {
    const objects = renderChart(chartDir, { values: [JSON.stringify(app.spec.source.helm.valuesObject)] }) as TerraformJson[];
    const api = (body: TerraformJson, group: string, resource: string): ApiObject => ({
      group,
      resource,
      namespace,
      name: body.metadata.name,
      body: { ...body, metadata: { ...body.metadata, namespace } },
    });
    const out: [string, ApiObject, boolean][] = [];
    const rollout = objects.find((o) => o.kind === 'Rollout');
    if (rollout) {
      const r = api(rollout, 'argoproj.io', 'rollouts');
      out.push([`Rollout ${r.name} as its chart renders it`, r, true]);
      out.push([`Rollout ${r.name} without analysis`, edited(r, (b) => delete b.spec.strategy.canary.analysis), false]);
      out.push([
        `Rollout ${r.name} analysed by a cluster-wide template`,
        edited(r, (b) => (b.spec.strategy.canary.analysis.templates = [{ templateName: 'tenantctl-canary', clusterScope: true }])),
        false,
      ]);
    }
    const vs = objects.find((o) => o.kind === 'VirtualService');
    if (vs) {
      const v = api(vs, 'networking.istio.io', 'virtualservices');
      out.push([`VirtualService ${v.name} as its chart renders it`, v, true]);
      out.push([`VirtualService ${v.name} exported to every namespace`, edited(v, (b) => delete b.spec.exportTo), false]);
      out.push([
        `VirtualService ${v.name} routing into another namespace`,
        edited(v, (b) => (b.spec.http[0].route[1].destination.host = `${v.name}.tenant-globex.svc.cluster.local`)),
        false,
      ]);
    }
    return out;
  });
}

/** The Kubernetes groups of each tenant pipeline, from the bootstrap stack's access entries, by tenant id. */
function pipelineGroups(bootstrap: Stack): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const entry of Object.values<TerraformJson>(bootstrap.json.resource?.aws_eks_access_entry ?? {})) {
    const groups = entry.kubernetes_groups as string[];
    const tenant = groups.find((g) => g.startsWith('tenantctl:tenant:'))?.slice('tenantctl:tenant:'.length);
    if (tenant) out.set(tenant, groups);
  }
  return out;
}

/** The Pod a tenant's scheduling policy (its Kyverno mutations) makes of a plain Pod. */
function scheduledPod(namespace: string, policy: TerraformJson | undefined): TerraformJson {
  const pod: TerraformJson = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'app-0', namespace },
    spec: {
      containers: [{ name: 'app', image: 'app' }],
      // DefaultTolerationSeconds adds these to every Pod.
      tolerations: ['not-ready', 'unreachable'].map((t) => ({
        key: `node.kubernetes.io/${t}`,
        operator: 'Exists',
        effect: 'NoExecute',
        tolerationSeconds: 300,
      })),
    },
  };
  for (const rule of (policy?.spec?.rules ?? []) as TerraformJson[]) {
    const merge = rule.mutate?.patchStrategicMerge?.spec;
    if (merge) Object.assign(pod.spec, { ...merge, nodeSelector: { ...pod.spec.nodeSelector, ...merge.nodeSelector } });
    if (rule.mutate?.patchesJson6902)
      for (const p of JSON.parse(rule.mutate.patchesJson6902)) if (p.path === '/spec/tolerations/-') pod.spec.tolerations.push(p.value);
  }
  return pod;
}

/** The cases of one fixture: its tenant stacks against its cluster stack's policies. */
export function fixtureCases(stacks: readonly Stack[]): AdmissionInput | undefined {
  const cluster = stacks.find((s) => s.name === 'cluster');
  const platformStack = stacks.find((s) => s.name === 'platform');
  if (!cluster || !platformStack) return undefined;
  const eks = Object.values<TerraformJson>(platformStack.json.resource?.aws_eks_cluster ?? {})[0];
  const policies: Policy[] = Object.values<TerraformJson>(cluster.json.resource?.kubernetes_manifest ?? {})
    .map((m) => m.manifest)
    .filter((m) => m.kind === 'ValidatingAdmissionPolicy')
    .map((m) => ({ name: m.metadata.name, spec: structuredClone(m.spec) }));
  const byName = (suffix: string) => policies.find((p) => p.name.endsWith(suffix));
  const deployers = byName('tenant-deployers');
  const pods = byName('tenant-pods');
  if (!pods) throw new Error(`${cluster.id}: no tenant pod admission policy`);
  const proxyName = Object.values<TerraformJson>(platformStack.json.resource?.aws_db_proxy ?? {})[0]?.name;
  const proxy = proxyEndpoint(proxyName, platformStack.json.provider.aws[0].region);
  const tenants = stacks
    .filter((s) => s.name.startsWith('tenant-'))
    .map((s) => ({ stack: s, id: s.name.slice('tenant-'.length), objects: stackObjects(s, proxy) }));
  const cases: AdmissionCase[] = [];
  const add = (
    name: string,
    policy: Policy,
    o: ApiObject,
    operation: string,
    groups: readonly string[],
    allowed: boolean,
    namespaceObject?: unknown,
  ) =>
    cases.push({
      name,
      policy: policy.name,
      request: request(o, operation, groups),
      object: operation === 'DELETE' ? null : o.body,
      namespaceObject,
      allowed,
    });

  // Every tenant pod, as its scheduling policy leaves it, in its namespace as synthesized.
  for (const t of tenants) {
    const ns = t.objects.find((o) => o.resource === 'namespaces');
    if (!ns) continue;
    const policy = t.objects.find((o) => o.resource === 'policies' && o.group === 'kyverno.io')?.body;
    const pod: ApiObject = { group: '', resource: 'pods', namespace: ns.name, name: 'app-0', body: scheduledPod(ns.name, policy) };
    const controller = ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'];
    add(`${t.stack.name}: its scheduled Pod`, pods, pod, 'CREATE', controller, true, ns.body);
    add(
      `${t.stack.name}: a Pod at the platform's priority`,
      pods,
      edited(pod, (b) => (b.spec.priorityClassName = 'tenantctl-platform')),
      'CREATE',
      controller,
      false,
      ns.body,
    );
    add(
      `${t.stack.name}: a Pod tolerating the system nodes`,
      pods,
      edited(pod, (b) => b.spec.tolerations.push({ key: 'tenantctl.io/pool', operator: 'Exists' })),
      'CREATE',
      controller,
      false,
      ns.body,
    );
    add(
      `${t.stack.name}: a Pod tolerating every taint, on update`,
      pods,
      edited(pod, (b) => b.spec.tolerations.push({ operator: 'Exists' })),
      'UPDATE',
      controller,
      false,
      ns.body,
    );
    add(
      `${t.stack.name}: a Pod without a node selector`,
      pods,
      edited(pod, (b) => delete b.spec.nodeSelector),
      'CREATE',
      controller,
      false,
      ns.body,
    );
    add(
      `${t.stack.name}: its Pod in a namespace relabelled to no tier`,
      pods,
      pod,
      'CREATE',
      controller,
      false,
      edited(ns, (b) => delete b.metadata.labels[TIER_LABEL]).body,
    );
  }

  // Each tenant's rate limit descriptor, as the rate limit namespace's policy sees it.
  const descriptors = byName('ratelimit-descriptors');
  if (descriptors) {
    for (const t of tenants) {
      for (const d of t.objects.filter((o) => o.resource === 'configmaps' && o.namespace === 'ratelimit')) {
        const ns = { metadata: { name: d.namespace, labels: { 'kubernetes.io/metadata.name': d.namespace } } };
        add(`${t.stack.name}: its rate limit descriptor`, descriptors, d, 'UPDATE', ['system:authenticated'], true, ns);
        // Any writer: the descriptor of another tenant's entry cluster under this tenant's name.
        const foreign = edited(d, (b) => {
          const [file] = Object.keys(b.data);
          b.data[file] = b.data[file].replace(`.${d.name}.svc`, '.tenant-globex.svc');
        });
        add(
          `${t.stack.name}: its rate limit descriptor counting another tenant's requests`,
          descriptors,
          foreign,
          'UPDATE',
          ['system:authenticated'],
          false,
          ns,
        );
      }
    }
  }

  // Whoever writes in a tenant namespace (here a service account of it): what reaches past it is held.
  const namespaces = byName('tenant-namespaces');
  if (!namespaces) throw new Error(`${cluster.id}: no tenant namespace admission policy`);
  const workload = (ns: string) => [`system:serviceaccounts`, `system:serviceaccounts:${ns}`, 'system:authenticated'];
  for (const t of tenants) {
    const ns = t.objects.find((o) => o.resource === 'namespaces');
    if (!ns) continue;
    const sa = workload(ns.name);
    const asSa = (name: string, o: ApiObject, operation: string, allowed: boolean) =>
      cases.push({
        name: `${t.stack.name}: ${name}`,
        policy: namespaces.name,
        request: { ...request(o, operation, sa), userInfo: { username: `system:serviceaccount:${ns.name}:app`, groups: sa } },
        object: operation === 'DELETE' ? null : o.body,
        namespaceObject: ns.body,
        allowed,
      });
    for (const o of t.objects.filter(
      (x) => x.namespace === ns.name && policyMatches(namespaces, x, 'CREATE') && x.resource !== 'resourcequotas' && x.resource !== 'rolebindings',
    )) {
      asSa(`${o.resource}/${o.name} as its stack writes it, by a service account`, o, 'CREATE', true);
    }
    const quota = t.objects.find((o) => o.resource === 'resourcequotas')!;
    asSa(
      'its quota raised by a service account',
      edited(quota, (b) => (b.spec.hard['requests.cpu'] = '1000')),
      'UPDATE',
      false,
    );
    asSa('its quota deleted by a service account', quota, 'DELETE', false);
    const binding: ApiObject = {
      group: 'rbac.authorization.k8s.io',
      resource: 'rolebindings',
      namespace: ns.name,
      name: 'escalate',
      body: {
        metadata: { name: 'escalate', namespace: ns.name },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'tenantctl:tenant-deployer' },
        subjects: [{ kind: 'ServiceAccount', name: 'app', namespace: ns.name }],
      },
    };
    asSa('the deployer ClusterRole bound to a service account', binding, 'CREATE', false);
    const policy = t.objects.find((o) => o.resource === 'policies' && o.group === 'kyverno.io');
    if (policy) {
      asSa(
        'a Kyverno Policy reading another namespace through an apiCall',
        edited(policy, (b) => (b.spec.rules[0].context = [{ name: 'cms', apiCall: { urlPath: '/api/v1/namespaces/tenant-globex/configmaps' } }])),
        'UPDATE',
        false,
      );
    }
    const service: ApiObject = {
      group: '',
      resource: 'services',
      namespace: ns.name,
      name: 'gateway',
      body: { metadata: { name: 'gateway', namespace: ns.name }, spec: { ports: [{ port: 8080 }], externalIPs: ['10.0.1.10'] } },
    };
    asSa('a Service with external IPs', service, 'CREATE', false);
    for (const [name, o, allowed] of canaryCases(t.stack, ns.name)) {
      const argo = ['system:serviceaccounts', 'system:serviceaccounts:argocd', 'system:authenticated'];
      cases.push({
        name: `${t.stack.name}: ${name}`,
        policy: namespaces.name,
        request: {
          ...request(o, 'UPDATE', argo),
          userInfo: { username: 'system:serviceaccount:argocd:argocd-application-controller', groups: argo },
        },
        object: o.body,
        namespaceObject: ns.body,
        allowed,
      });
    }
  }

  const bootstrap = stacks.find((s) => s.name === 'bootstrap-platform');
  if (deployers && bootstrap) {
    const groups = pipelineGroups(bootstrap);
    const active = tenants.filter((t) => t.objects.some((o) => o.resource === 'namespaces'));
    for (const t of tenants) {
      const own = groups.get(t.id);
      if (!own) throw new Error(`${bootstrap.id}: no access entry for the pipeline of ${t.stack.name}`);
      const other = active.find((a) => a.id !== t.id);
      for (const o of t.objects) {
        for (const operation of ['CREATE', 'UPDATE'])
          add(`${t.stack.name}: ${operation} ${o.resource}/${o.name}`, deployers, o, operation, own, true);
        if (other && policyMatches(deployers, o, 'CREATE'))
          add(
            `${t.stack.name}: ${o.resource}/${o.name} written by the pipeline of ${other.stack.name}`,
            deployers,
            o,
            'CREATE',
            groups.get(other.id)!,
            false,
          );
      }
    }
    for (const t of active) {
      const own = groups.get(t.id)!;
      const ns = t.objects.find((o) => o.resource === 'namespaces')!;
      const quota = t.objects.find((o) => o.resource === 'resourcequotas')!;
      const configMap = t.objects.find((o) => o.resource === 'configmaps' && o.namespace === 'tenantctl-provisioning')!;
      const job = t.objects.find((o) => o.resource === 'jobs')!;
      const descriptor = t.objects.find((o) => o.resource === 'configmaps' && o.namespace === 'ratelimit')!;
      const alertDelivery = t.objects.find((o) => o.resource === 'alertmanagerconfigs')!;
      const tier = ns.body.metadata.labels[TIER_LABEL];
      const otherTier = ['starter', 'standard', 'enterprise'].find((x) => x !== tier)!;
      const breaches: [string, ApiObject, string][] = [
        [
          'its quota with twice the CPU',
          edited(quota, (b) => (b.spec.hard['requests.cpu'] = `${2 * Number.parseFloat(b.spec.hard['requests.cpu'])}`)),
          'UPDATE',
        ],
        ['its quota with a limit it is not entitled to', edited(quota, (b) => (b.spec.hard['count/jobs.batch'] = '1000')), 'UPDATE'],
        ['its quota deleted', quota, 'DELETE'],
        [`its namespace labelled ${otherTier}`, edited(ns, (b) => (b.metadata.labels[TIER_LABEL] = otherTier)), 'UPDATE'],
        ['its namespace labelled for another tenant', edited(ns, (b) => (b.metadata.labels[TENANT_LABEL] = 'globex')), 'UPDATE'],
        ['its namespace without sidecar injection', edited(ns, (b) => delete b.metadata.labels['istio-injection']), 'UPDATE'],
        ['its namespace deleted while active', ns, 'DELETE'],
        // Where Alertmanager's own configuration lives: a config there would route every namespace's alerts.
        [
          'its AlertmanagerConfig in the monitoring namespace',
          { ...edited(alertDelivery, (b) => (b.metadata.namespace = 'monitoring')), namespace: 'monitoring' },
          'CREATE',
        ],
        // The SQL of another tier: the call tenantctl renders, with the other tier's name.
        [
          `its provisioning SQL of the ${otherTier} tier`,
          edited(configMap, (b) => (b.data[SQL_FILE] = b.data[SQL_FILE].replace(`'${tier}'`, `'${otherTier}'`))),
          'CREATE',
        ],
        ['its provisioning Job with another image', edited(job, (b) => (b.spec.template.spec.containers[0].image = 'postgres:latest')), 'CREATE'],
        [
          'its provisioning Job as the platform provisioner',
          edited(job, (b) => (b.spec.template.spec.serviceAccountName = 'db-provisioner')),
          'CREATE',
        ],
        // Another tenant's SQL run beside the pinned command, with the token already written.
        [
          'its provisioning Job with a postStart hook',
          edited(
            job,
            (b) => (b.spec.template.spec.containers[0].lifecycle = { postStart: { exec: { command: ['/bin/sh', '-c', 'psql -c "select 1"'] } } }),
          ),
          'CREATE',
        ],
        [
          'its provisioning Job with an exec probe',
          edited(job, (b) => (b.spec.template.spec.containers[0].startupProbe = { exec: { command: ['/bin/sh', '-c', 'psql -c "select 1"'] } })),
          'CREATE',
        ],
        [
          'its provisioning Job with the token mounted elsewhere',
          edited(job, (b) => b.spec.template.spec.initContainers[0].volumeMounts.push({ name: 'tmp', mountPath: '/sql' })),
          'CREATE',
        ],
        [
          'its provisioning Job with a restartable init container (a sidecar)',
          edited(job, (b) => (b.spec.template.spec.initContainers[0].restartPolicy = 'Always')),
          'CREATE',
        ],
        [
          'its rate limit a thousand times higher',
          edited(descriptor, (b) => {
            const [file] = Object.keys(b.data);
            b.data[file] = b.data[file].replace(/"requests_per_unit":(\d+)/, (_m: string, n: string) => `"requests_per_unit":${Number(n) * 1000}`);
          }),
          'UPDATE',
        ],
      ];
      for (const [what, o, operation] of breaches) add(`${t.stack.name}: ${what}`, deployers, o, operation, own, false);
    }
  }
  const nodes = byName('node-identity');
  if (!nodes) throw new Error(`${cluster.id}: no node identity admission policy`);
  cases.push(...nodeAdmissionCases(stacks, nodes.name, platformStack.json.provider.aws[0].allowed_account_ids[0]));
  return { kubernetesVersion: String(eks.version), policies, cases };
}

/** Runs the evaluator on `input` (written to `file`): exit 0 all decided as expected, 1 some not, 2 a policy does not compile. */
export async function evaluate(
  tools: Tools,
  input: AdmissionInput,
  file: string,
): Promise<{ code: number; failures: string[]; summary: string; error: string }> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(input));
  const res = await run('sh', ['-c', 'exec "$0" < "$1"', tools.admission, file]);
  const lines = res.stdout.split('\n').filter(Boolean);
  return { code: res.code, failures: lines.filter((l) => l.startsWith('FAIL')), summary: lines.at(-1) ?? '', error: res.stderr.trim() };
}

export async function admissionEngine(tools: Tools, fixtures: readonly (readonly Stack[])[], workDir: string, report: Report): Promise<void> {
  for (const stacks of fixtures) {
    const input = fixtureCases(stacks);
    if (!input) continue;
    const fixture = stacks[0].id.split('/')[0];
    const res = await evaluate(tools, input, path.join(workDir, `${fixture}.json`));
    report.record(
      'admission',
      fixture,
      res.code === 0,
      `${input.policies.length} policies (${input.policies.map((p) => p.name).join(', ')}), ${input.cases.length} cases: ${res.summary || res.error}`,
      [...res.failures, ...(res.code === 2 ? [res.error] : [])],
    );
  }
}
