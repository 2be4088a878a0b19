import { elbLogDeliveryPrincipal } from '../../model/elb-log-delivery';
import { partitionOf } from '../../model/regions';
import {
  accessEntries,
  assumedRoleOf,
  clusterConnections,
  clusterNameOf,
  clusterResources,
  entryGrants,
  principalOf,
  runRoleArn,
  runsInTerraformCloud,
  samePrincipal,
  type AccessEntry,
  type ClusterConnection,
  type Principal,
} from '../cluster-access';
import { DependencyGraph } from '../graph';
import { at, block, blocks, isToken, manifests, parsePolicy, resolved, resources, strings, type Json, type ResourceRef } from '../json';
import type { Rule, RuleContext, StackDocument, Violation } from '../types';

/**
 * Deployability: what makes a first `terraform apply` on a fresh AWS account fail although every
 * resource is well-formed: providers planned against a cluster that does not exist yet,
 * credentials that expire mid-apply, objects created before the access, role, permission or
 * registration they need, and targets nothing routes to.
 */

const graphCache = new WeakMap<RuleContext, Map<StackDocument, DependencyGraph>>();

/** One dependency graph per stack and validation run, shared by the rules below. */
function graphOf(ctx: RuleContext, stack: StackDocument): DependencyGraph {
  let byStack = graphCache.get(ctx);
  if (!byStack) graphCache.set(ctx, (byStack = new Map()));
  let graph = byStack.get(stack);
  if (!graph) byStack.set(stack, (graph = new DependencyGraph(stack)));
  return graph;
}

const isFalse = (value: unknown) => value === false || value === 'false';

/** A string attribute with same-stack references resolved, or undefined when it stays unknown until apply. */
function literal(stack: StackDocument, value: unknown): string | undefined {
  const s = resolved(stack, value);
  return s === undefined || isToken(s) ? undefined : s;
}

const nameOf = (stack: StackDocument, r: ResourceRef, attribute = 'name'): string => literal(stack, r.body[attribute]) ?? r.id;

/** The region of the AWS provider a resource uses. */
function regionOf(stack: StackDocument, r: ResourceRef): string | undefined {
  const alias = typeof r.body.provider === 'string' ? r.body.provider.split('.')[1] : undefined;
  return literal(stack, blocks(stack.json.provider?.aws).find((p) => p.alias === alias)?.region);
}

const providerName = (conn: ClusterConnection) => conn.address.split('.')[1];

/** An access policy association for the whole cluster, what an applier that creates namespaces needs. */
const isClusterScoped = (association: ResourceRef) => at(association.body.access_scope, 'type') === 'cluster';

// ---------------------------------------------------------------------------------------------

export const providersFromDataSources: Rule = {
  id: 'TC-DEP-001',
  title: 'Kubernetes and Helm providers are configured from data sources, not from resources of their stack',
  severity: 'error',
  rationale:
    'Terraform configures providers before it creates anything. A kubernetes or helm provider whose host, certificate or credentials come ' +
    'from a resource of its own stack (directly or through a data source that reads it) is planned against a cluster that does not exist ' +
    'yet; the provider documentation forbids it, and a stack that builds the network cannot reach a private endpoint in the same apply.',
  remediation:
    'Apply everything that goes through the Kubernetes and Helm providers in a stack of its own, after the stack that creates the cluster, ' +
    'and configure its providers from data "aws_eks_cluster" looked up by name.',
  check: (ctx) =>
    ctx.stacks.flatMap((stack) => {
      const graph = graphOf(ctx, stack);
      return clusterConnections(stack).flatMap((conn): Violation[] => {
        const behind = graph.resourcesBehind(conn.config);
        return behind.length
          ? [
              {
                stack: stack.name,
                address: conn.address,
                message: `the ${providerName(conn)} provider is configured from ${behind.join(', ')}, created in this same stack: it cannot be planned before that exists`,
              },
            ]
          : [];
      });
    }),
};

export const accessBeforeKubernetes: Rule = {
  id: 'TC-DEP-002',
  title: 'Kubernetes and Helm resources are applied after the cluster access that lets the applier in',
  severity: 'error',
  rationale:
    'An EKS access entry takes effect only once its cluster-scoped access policy association exists. A Kubernetes or Helm resource not ' +
    'ordered after it (depends_on or a reference, directly or transitively) races it and fails with 401 or 403 on a first apply; an ' +
    'association not ordered after its entry fails because the principal is not found.',
  remediation:
    'Add every cluster-scoped aws_eks_access_policy_association of the stack to the depends_on of the Kubernetes and Helm resources (or of ' +
    'what they already depend on), and give each association principal_arn = <its access entry>.principal_arn.',
  check: (ctx) =>
    ctx.stacks.flatMap((stack) => {
      const graph = graphOf(ctx, stack);
      const clusterWide = resources(stack, 'aws_eks_access_policy_association').filter(isClusterScoped);
      const out: Violation[] = [];
      for (const r of clusterWide.length ? clusterResources(stack) : []) {
        const missing = clusterWide.filter((a) => !graph.isAfter(r.address, a.address)).map((a) => a.address);
        if (missing.length)
          out.push({
            stack: stack.name,
            address: r.address,
            message: `${r.address} is not ordered after ${missing.join(', ')}: it can reach the API before the applier's access exists`,
          });
      }
      for (const entry of accessEntries(stack, graph)) {
        for (const a of entry.associations.filter((x) => !graph.isAfter(x.address, entry.resource.address))) {
          out.push({
            stack: stack.name,
            address: a.address,
            message: `${a.address} is not ordered after ${entry.resource.address}, the access entry of its principal: it fails when it runs first`,
          });
        }
      }
      return out;
    }),
};

/** Names of clusters in the project that admit nobody without an access entry (API mode, no creator admin). */
function entryOnlyClusters(ctx: RuleContext): Set<string> {
  return new Set(
    ctx.stacks.flatMap((stack) =>
      resources(stack, 'aws_eks_cluster')
        .filter(
          (c) =>
            at(c.body.access_config, 'authentication_mode') === 'API' &&
            isFalse(at(c.body.access_config, 'bootstrap_cluster_creator_admin_permissions')),
        )
        .map((c) => nameOf(stack, c)),
    ),
  );
}

/** Who applies a stack's Kubernetes resources through a connection; no principal means whoever runs Terraform locally. */
interface Applier {
  readonly principal?: Principal;
  readonly label: string;
}

/** The applier of a connection, or why it cannot be told. */
function applierOf(ctx: RuleContext, conn: ClusterConnection, graph: DependencyGraph): Applier | string {
  const assumed = assumedRoleOf(conn, graph);
  if (assumed) {
    const principal = principalOf(conn.stack, graph, assumed);
    return principal
      ? { principal, label: `role ${assumed}, which its credentials assume` }
      : `its credentials assume ${assumed}, which is not a role ARN`;
  }
  if (!runsInTerraformCloud(conn.stack)) return { label: 'whoever runs terraform (local state)' };
  if (!ctx.project) return 'it runs in Terraform Cloud and the project is not loaded, so its run role is unknown';
  const arn = runRoleArn(ctx.project, conn.stack);
  const principal = principalOf(conn.stack, graph, arn);
  return principal ? { principal, label: `its Terraform Cloud run role ${arn}` } : `its Terraform Cloud run role ${arn} is not a role ARN`;
}

/**
 * Whether an entry admits the applier: that principal; locally, the caller's own identity or an
 * explicitly named principal with cluster-wide access (an admin, not a tenant team confined to a namespace).
 */
function admits(entry: AccessEntry, applier: Applier): boolean {
  if (!entry.principal || !entryGrants(entry)) return false;
  if (applier.principal) return samePrincipal(entry.principal, applier.principal);
  return entry.principal.kind === 'caller' || (entry.principal.literal && entry.associations.some(isClusterScoped));
}

export const applierHasAccess: Rule = {
  id: 'TC-DEP-003',
  title: "Whoever applies a stack's Kubernetes resources has an access entry on the cluster",
  severity: 'error',
  rationale:
    'A cluster with authentication_mode API and bootstrap_cluster_creator_admin_permissions = false admits only principals with an access ' +
    "entry: not even its creator. A stack whose Kubernetes resources are applied by a principal without one (the operator's own identity " +
    'locally, the run role or the role it assumes under Terraform Cloud) fails at its first Kubernetes resource with 401 Unauthorized.',
  remediation:
    'Create an aws_eks_access_entry with an access policy association for that principal: locally principal_arn = ' +
    "data.aws_iam_session_context.<name>.issuer_arn (or list the operator's role in eks.adminPrincipalArns); under Terraform Cloud the " +
    "stack's run role, or a role the provider assumes that has one.",
  check: (ctx) => {
    const clusters = entryOnlyClusters(ctx);
    if (!clusters.size) return [];
    const entries = ctx.stacks.flatMap((s) => accessEntries(s, graphOf(ctx, s)));
    return ctx.stacks.flatMap((stack) => {
      if (!clusterResources(stack).length) return [];
      const graph = graphOf(ctx, stack);
      // The kubernetes and helm providers of a stack usually share cluster and applier: one finding says it.
      const seen = new Set<string>();
      return clusterConnections(stack).flatMap((conn): Violation[] => {
        const cluster = clusterNameOf(conn, graph);
        if (cluster === undefined || !clusters.has(cluster)) return [];
        const applier = applierOf(ctx, conn, graph);
        const key = `${cluster} ${typeof applier === 'string' ? applier : applier.label}`;
        if (seen.has(key)) return [];
        seen.add(key);
        if (typeof applier === 'string') {
          return [
            {
              stack: stack.name,
              address: conn.address,
              severity: 'warning',
              message: `cannot tell who applies the Kubernetes resources of stack ${stack.name} to cluster ${cluster}: ${applier}`,
            },
          ];
        }
        if (entries.some((e) => e.cluster === cluster && admits(e, applier))) return [];
        return [
          {
            stack: stack.name,
            address: conn.address,
            message:
              `the ${providerName(conn)} provider applies as ${applier.label}, and no access entry in the project admits it on ` +
              `cluster ${cluster} (authentication_mode API, no creator admin): every Kubernetes request gets 401 Unauthorized`,
          },
        ];
      });
    });
  },
};

const SERVICE_LINKED_ROLE = /:role\/aws-service-role\/([^/]+)\/([^/]+)$/;
const POLICY_ATTRIBUTES = ['policy', 'assume_role_policy'];

/**
 * AWS services whose service-linked role the project declares as already present in its account
 * (`aws.existingServiceLinkedRoles` in platform.json, e.g. `["autoscaling.amazonaws.com"]`). Read
 * leniently: a project whose schema has no such switch declares nothing.
 */
function existingServiceLinkedRoles(ctx: RuleContext): Set<string> {
  const declared = (ctx.project?.platform.aws as { existingServiceLinkedRoles?: unknown } | undefined)?.existingServiceLinkedRoles;
  return new Set(Array.isArray(declared) ? declared.filter((s): s is string => typeof s === 'string') : []);
}

export const serviceLinkedRolesFirst: Rule = {
  id: 'TC-DEP-004',
  title: 'Policies name a service-linked role only after it is created',
  severity: 'error',
  rationale:
    'A service-linked role (an IAM role under role/aws-service-role/) exists only once the service first needs it or someone creates it: on ' +
    'a fresh account a KMS key policy, resource policy or trust policy naming it is rejected (MalformedPolicyDocumentException, invalid ' +
    'principal) before anything could create it.',
  remediation:
    'Create it with aws_iam_service_linked_role (aws_service_name = the service in the ARN) and add it to the depends_on of the resource ' +
    'whose policy names it; where the role already exists in the account, declare it in platform.json (aws.existingServiceLinkedRoles) instead.',
  check: (ctx) => {
    const existing = existingServiceLinkedRoles(ctx);
    return ctx.stacks.flatMap((stack) => {
      const graph = graphOf(ctx, stack);
      const created = resources(stack, 'aws_iam_service_linked_role');
      return resources(stack).flatMap((r) => {
        const named = new Map<string, { service: string; role: string }>();
        for (const attribute of POLICY_ATTRIBUTES.filter((a) => r.body[a] !== undefined)) {
          for (const s of parsePolicy(stack, r.body[attribute]) ?? []) {
            for (const arn of s.principal === '*' ? [] : (s.principal.AWS ?? [])) {
              const m = SERVICE_LINKED_ROLE.exec(resolved(stack, arn) ?? '');
              if (m && !existing.has(m[1])) named.set(m[2], { service: m[1], role: m[2] });
            }
          }
        }
        return [...named.values()].flatMap(({ service, role }): Violation[] => {
          const creators = created.filter(
            (c) => c.body.aws_service_name === service && (c.body.custom_suffix === undefined || role.endsWith(`_${String(c.body.custom_suffix)}`)),
          );
          if (creators.some((c) => graph.isAfter(r.address, c.address))) return [];
          const why = creators.length
            ? `is not ordered after ${creators.map((c) => c.address).join(', ')}, which creates it`
            : 'is created by nothing in this stack and not declared as existing';
          return [
            {
              stack: stack.name,
              address: r.address,
              message:
                `the policy of ${r.address} names the service-linked role ${role} (${service}), which ${why}: on a fresh account AWS ` +
                `rejects the policy`,
            },
          ];
        });
      });
    });
  },
};

/** ALBs and Classic Load Balancers: both deliver access logs as the regional ELB account or service principal. */
function loggingLoadBalancers(stack: StackDocument): ResourceRef[] {
  return [
    ...resources(stack, 'aws_lb', 'aws_alb').filter((lb) => (lb.body.load_balancer_type ?? 'application') === 'application'),
    ...resources(stack, 'aws_elb'),
  ].filter((lb) => {
    const logs = block(lb.body.access_logs);
    return logs?.bucket !== undefined && !isFalse(logs.enabled);
  });
}

/** A bucket named by an attribute: the address of the aws_s3_bucket of this stack it refers to or names, else its literal name. */
function bucketKey(stack: StackDocument, graph: DependencyGraph, value: unknown): string | undefined {
  const ref = graph.referencesIn(value).find((a) => a.startsWith('aws_s3_bucket.'));
  if (ref) return ref;
  const name = literal(stack, value);
  return resources(stack, 'aws_s3_bucket').find((b) => literal(stack, b.body.bucket) === name)?.address ?? name;
}

/** Whether a statement lets a principal write objects. */
const allowsPut = (actions: string[]) => actions.some((a) => ['s3:putobject', 's3:put*', 's3:*', '*'].includes(a.toLowerCase()));

export const accessLogDeliveryPrincipal: Rule = {
  id: 'TC-DEP-005',
  title: 'Load balancer access-log buckets admit the log-delivery principal of their region',
  severity: 'error',
  rationale:
    'Elastic Load Balancing checks that it may write to the access-log bucket when logging is enabled, and the writer depends on the ' +
    'region: the regional ELB account in regions opened before August 2022, the service principal ' +
    'logdelivery.elasticloadbalancing.amazonaws.com after. A wrong principal, a missing bucket policy or a load balancer created before ' +
    'its bucket policy fails the apply with "Access Denied for bucket".',
  remediation:
    'Grant s3:PutObject to the principal elbLogDeliveryPrincipal(region) returns (src/model/elb-log-delivery.ts) in an aws_s3_bucket_policy ' +
    "of the log bucket, and add that policy to the load balancer's depends_on.",
  check: (ctx) =>
    ctx.stacks.flatMap((stack) => {
      const graph = graphOf(ctx, stack);
      const policies = resources(stack, 'aws_s3_bucket_policy');
      const out: Violation[] = [];
      for (const lb of loggingLoadBalancers(stack)) {
        const bucket = bucketKey(stack, graph, block(lb.body.access_logs)?.bucket);
        const bucketPolicies = policies.filter((p) => bucketKey(stack, graph, p.body.bucket) === bucket);
        if (!bucketPolicies.length) {
          if (bucket?.startsWith('aws_s3_bucket.'))
            out.push({
              stack: stack.name,
              address: bucket,
              message: `${bucket} receives the access logs of ${lb.address} but has no bucket policy letting log delivery write to it`,
            });
          continue;
        }
        for (const policy of bucketPolicies) {
          const region = regionOf(stack, policy);
          const statements = parsePolicy(stack, policy.body.policy);
          if (region === undefined || statements === undefined) continue;
          const expected = elbLogDeliveryPrincipal(region, partitionOf(region));
          const [type, id] = Object.entries(expected)[0];
          const writers = statements.filter((s) => s.effect === 'Allow' && allowsPut(s.actions));
          const admitted = writers.some(
            (s) =>
              s.principal !== '*' &&
              (s.principal[type] ?? []).some((p) => p === id || (type === 'AWS' && id === `arn:${partitionOf(region)}:iam::${p}:root`)),
          );
          if (!admitted) {
            const granted = writers.flatMap((s) =>
              s.principal === '*' ? ['*'] : Object.entries(s.principal).flatMap(([k, v]) => v.map((x) => `${k} ${x}`)),
            );
            out.push({
              stack: stack.name,
              address: policy.address,
              message: `in ${region} access logs are written as ${type} ${id}, but the policy lets ${granted.length ? granted.join(', ') : 'nobody'} write: ${lb.address} cannot enable access logging`,
            });
          }
          if (!graph.isAfter(lb.address, policy.address))
            out.push({
              stack: stack.name,
              address: lb.address,
              message:
                `${lb.address} enables access logs to its bucket without being ordered after ${policy.address}: ELB's permission ` +
                `check can run before the policy exists`,
            });
        }
      }
      return out;
    }),
};

export const tokensOutliveApply: Rule = {
  id: 'TC-DEP-006',
  title: 'Cluster credentials stay valid through a long apply and an approval gap',
  severity: 'error',
  rationale:
    'A provider token taken from a data source (data "aws_eks_cluster_auth": valid 15 minutes) is read once, at plan time. Node groups, ' +
    'Helm releases with 15-minute timeouts and Jobs that are waited for easily outlast it, and so does any wait between plan and an ' +
    'approved apply: the apply then fails half-way with 401 Unauthorized.',
  remediation:
    'Replace token by an exec block running `aws eks get-token --cluster-name <name>` (api_version client.authentication.k8s.io/v1beta1), ' +
    'which fetches a fresh token whenever the provider needs one; the runner needs the AWS CLI.',
  check: (ctx) =>
    ctx.stacks.flatMap((stack) => {
      const graph = graphOf(ctx, stack);
      return clusterConnections(stack).flatMap((conn): Violation[] => {
        const sources = graph.referencesIn(conn.config.token).filter((a) => a.startsWith('data.'));
        return sources.length
          ? [
              {
                stack: stack.name,
                address: conn.address,
                message: `the ${providerName(conn)} provider authenticates with a token read once from ${sources.join(', ')}, which expires while a long apply or an approval is still running`,
              },
            ]
          : [];
      });
    }),
};

const ROLE_ANNOTATION = 'eks.amazonaws.com/role-arn';
const DEFAULT_NAMESPACE = 'default';

/** IAM roles of the stack that the pods of a Job run as (IRSA annotation or EKS Pod Identity). */
function jobRoles(stack: StackDocument, graph: DependencyGraph, job: ResourceRef): ResourceRef[] {
  const namespace = literal(stack, at(job.body.metadata, 'namespace')) ?? DEFAULT_NAMESPACE;
  const serviceAccount = literal(stack, at(job.body.spec, 'template.spec.service_account_name')) ?? 'default';
  const roleValues = [
    ...resources(stack, 'kubernetes_service_account_v1', 'kubernetes_service_account')
      .filter(
        (sa) =>
          literal(stack, at(sa.body.metadata, 'name')) === serviceAccount &&
          (literal(stack, at(sa.body.metadata, 'namespace')) ?? DEFAULT_NAMESPACE) === namespace,
      )
      .map((sa) => block(at(sa.body.metadata, 'annotations'))?.[ROLE_ANNOTATION]),
    ...resources(stack, 'aws_eks_pod_identity_association')
      .filter((p) => literal(stack, p.body.namespace) === namespace && literal(stack, p.body.service_account) === serviceAccount)
      .map((p) => p.body.role_arn),
  ];
  const roles = resources(stack, 'aws_iam_role');
  return roles.filter((role) =>
    roleValues.some((v) => graph.referencesIn(v).includes(role.address) || literal(stack, v)?.endsWith(`:role/${nameOf(stack, role)}`)),
  );
}

/** The stack's policies and attachments that give a role its permissions. */
function permissionsOf(stack: StackDocument, graph: DependencyGraph, role: ResourceRef): ResourceRef[] {
  const names = (r: ResourceRef) => [...strings(r.body.role), ...strings(r.body.roles)];
  return resources(stack, 'aws_iam_role_policy', 'aws_iam_role_policy_attachment', 'aws_iam_policy_attachment').filter((p) =>
    names(p).some((v) => graph.referencesIn(v).includes(role.address) || literal(stack, v) === nameOf(stack, role)),
  );
}

/** Proxy targets of the stack behind the RDS proxies (or proxy endpoints) a Job's spec refers to. */
function proxyTargets(stack: StackDocument, graph: DependencyGraph, job: ResourceRef): ResourceRef[] {
  const refs = graph.referencesIn(job.body.spec);
  const endpoints = resources(stack, 'aws_db_proxy_endpoint').filter((e) => refs.includes(e.address));
  const proxies = resources(stack, 'aws_db_proxy').filter(
    (p) => refs.includes(p.address) || endpoints.some((e) => graph.referencesIn(e.body.db_proxy_name).includes(p.address)),
  );
  return resources(stack, 'aws_db_proxy_target').filter((t) =>
    proxies.some((p) => graph.referencesIn(t.body.db_proxy_name).includes(p.address) || literal(stack, t.body.db_proxy_name) === nameOf(stack, p)),
  );
}

export const jobsWaitForWhatTheyUse: Rule = {
  id: 'TC-DEP-007',
  title: 'Jobs that Terraform waits for are applied after the permissions and registrations they use',
  severity: 'error',
  rationale:
    'Terraform waits for a kubernetes_job to complete (wait_for_completion defaults to true). A Job that starts before the IAM policies of ' +
    "its service account's role are attached, or before its RDS proxy has a registered target, fails every attempt, exhausts its backoff " +
    'and fails the apply; nothing retries it.',
  remediation: "Add the role's aws_iam_role_policy / attachments and the aws_db_proxy_target to the Job's depends_on.",
  check: (ctx) =>
    ctx.stacks.flatMap((stack) => {
      const graph = graphOf(ctx, stack);
      return resources(stack, 'kubernetes_job_v1', 'kubernetes_job')
        .filter((job) => !isFalse(job.body.wait_for_completion))
        .flatMap((job): Violation[] => {
          const permissions = jobRoles(stack, graph, job).flatMap((role) =>
            permissionsOf(stack, graph, role).map((p) => ({ address: p.address, why: `permissions of ${role.address}` })),
          );
          const targets = proxyTargets(stack, graph, job).map((t) => ({ address: t.address, why: "the registration of its RDS proxy's target" }));
          const missing = [...permissions, ...targets].filter((d) => !graph.isAfter(job.address, d.address));
          return missing.length
            ? [
                {
                  stack: stack.name,
                  address: job.address,
                  message: `job ${literal(stack, at(job.body.metadata, 'name')) ?? job.id} is waited for but not ordered after ${missing.map((d) => `${d.address} (${d.why})`).join(', ')}`,
                },
              ]
            : [];
        });
    }),
};

const TARGET_GROUP_ARN = /arn:[\w-]+:elasticloadbalancing:[\w-]+:\d{12}:targetgroup\/([^/]+)\//g;
const READINESS_GATE_LABEL = 'elbv2.k8s.aws/pod-readiness-gate-inject';

const TARGET_GROUP_TYPES = ['aws_lb_target_group', 'aws_alb_target_group'];

/** Keys a target group is known by: `<stack>/<address>` of its resource and `name:<name>`, which other stacks name it by. */
function targetGroupKeys(stack: StackDocument, graph: DependencyGraph, value: unknown): string[] {
  const keys = graph.referencesIn(value).flatMap((a) => {
    const [first, type, id] = a.split('.');
    if (TARGET_GROUP_TYPES.includes(first)) {
      const name = literal(stack, stack.json.resource?.[first]?.[type]?.name);
      return [`${stack.name}/${a}`, ...(name ? [`name:${name}`] : [])];
    }
    const name =
      first === 'data' && TARGET_GROUP_TYPES.includes(type) ? literal(stack, (stack.json.data?.[type]?.[id] as Json | undefined)?.name) : undefined;
    return name ? [`name:${name}`] : [];
  });
  const text = typeof value === 'string' ? value : JSON.stringify(value ?? '');
  return [...new Set([...keys, ...[...text.matchAll(TARGET_GROUP_ARN)].map((m) => `name:${m[1]}`)])];
}

interface Binding {
  readonly stack: StackDocument;
  readonly address: string;
  readonly namespace: string;
  readonly targetGroups: string[];
}

/** TargetGroupBindings: kubernetes_manifest objects, and Helm releases whose values hand a chart a target group. */
function bindings(ctx: RuleContext): Binding[] {
  return ctx.stacks.flatMap((stack) => {
    const graph = graphOf(ctx, stack);
    return [
      ...manifests(stack, 'TargetGroupBinding').map((m) => ({
        stack,
        address: m.address,
        namespace: literal(stack, at(m.manifest.metadata, 'namespace')) ?? DEFAULT_NAMESPACE,
        targetGroups: targetGroupKeys(stack, graph, at(m.manifest.spec, 'targetGroupARN')),
      })),
      ...resources(stack, 'helm_release').map((r) => ({
        stack,
        address: r.address,
        namespace: literal(stack, r.body.namespace) ?? DEFAULT_NAMESPACE,
        targetGroups: targetGroupKeys(stack, graph, [r.body.values, r.body.set]),
      })),
    ].filter((b) => b.targetGroups.length > 0);
  });
}

/**
 * The project's target groups and the ones some listener or listener rule forwards to, as display
 * names: `canonical` maps every key a target group is known by to its name (else its address).
 */
function targetGroupRouting(ctx: RuleContext): { canonical: Map<string, string>; forwarded: Set<string> } {
  const canonical = new Map<string, string>();
  const forwardedKeys: string[] = [];
  for (const stack of ctx.stacks) {
    const graph = graphOf(ctx, stack);
    for (const tg of resources(stack, ...TARGET_GROUP_TYPES)) {
      const display = literal(stack, tg.body.name) ?? tg.address;
      for (const key of targetGroupKeys(stack, graph, `\${${tg.address}.arn}`)) canonical.set(key, display);
    }
    const actions = [
      ...resources(stack, 'aws_lb_listener', 'aws_alb_listener').flatMap((l) => blocks(l.body.default_action)),
      ...resources(stack, 'aws_lb_listener_rule', 'aws_alb_listener_rule').flatMap((r) => blocks(r.body.action)),
    ].filter((a) => a.type === 'forward');
    for (const action of actions) forwardedKeys.push(...targetGroupKeys(stack, graph, [action.target_group_arn, action.forward]));
  }
  return { canonical, forwarded: new Set(forwardedKeys.flatMap((k) => canonical.get(k) ?? [])) };
}

export const bindingsHaveListeners: Rule = {
  id: 'TC-DEP-008',
  title: 'Target group bindings and readiness gates point at a target group that a listener forwards to',
  severity: 'error',
  rationale:
    "The load balancer controller registers pods in a TargetGroupBinding's target group and, in a namespace labelled " +
    'elbv2.k8s.aws/pod-readiness-gate-inject=enabled, keeps them unready until the target is healthy. In a target group no listener or ' +
    'listener rule forwards to, targets stay "unused": new pods never become Ready, rollouts hang and Helm upgrades roll back.',
  remediation:
    'Forward a listener (or listener rule) to the target group, or create the binding and the readiness-gate label only when one does (e.g. ' +
    'only with a domain and its HTTPS listener).',
  check: (ctx) => {
    const { canonical, forwarded } = targetGroupRouting(ctx);
    // Target groups outside the project (no key known) cannot be judged.
    const idle = bindings(ctx)
      .map((b) => ({ ...b, idle: [...new Set(b.targetGroups.flatMap((k) => canonical.get(k) ?? []))].filter((tg) => !forwarded.has(tg)) }))
      .filter((b) => b.idle.length > 0);
    const out: Violation[] = idle.map((b) => ({
      stack: b.stack.name,
      address: b.address,
      message: `${b.address} binds pods of namespace ${b.namespace} to target group ${b.idle.join(', ')}, which no listener or listener rule forwards to: its targets stay unused`,
    }));
    for (const stack of ctx.stacks) {
      for (const ns of resources(stack, 'kubernetes_namespace_v1', 'kubernetes_namespace')) {
        const name = literal(stack, at(ns.body.metadata, 'name'));
        if (block(at(ns.body.metadata, 'labels'))?.[READINESS_GATE_LABEL] !== 'enabled') continue;
        const gated = idle.filter((b) => b.namespace === name);
        if (gated.length) {
          out.push({
            stack: stack.name,
            address: ns.address,
            message: `namespace ${name} injects load balancer readiness gates for ${gated.map((b) => b.address).join(', ')}, whose target group no listener forwards to: its pods never become Ready`,
          });
        }
      }
    }
    return out;
  },
};

/** Charts of the autoscalers that change a node group's desired size. */
export const AUTOSCALER_CHARTS = ['cluster-autoscaler', 'karpenter'];

export const nodeGroupsAutoscaled: Rule = {
  id: 'TC-DEP-009',
  title: 'Node groups with autoscaling bounds have an autoscaler',
  severity: 'warning',
  rationale:
    "EKS never changes a managed node group's desired size by itself: min_size and max_size are only bounds for an autoscaler. Without one " +
    'the group stays at its desired size, pending pods wait forever and the capacity planned up to max_size never comes.',
  remediation: `Install an autoscaler for the cluster (a helm_release of the ${AUTOSCALER_CHARTS.join(' or ')} chart, with its IAM role), or set min_size = max_size.`,
  check: (ctx) => {
    const clusters = new Set(ctx.stacks.flatMap((s) => resources(s, 'aws_eks_cluster').map((c) => nameOf(s, c))));
    const autoscaled = ctx.stacks.some((s) =>
      resources(s, 'helm_release').some((r) =>
        AUTOSCALER_CHARTS.includes(
          String(r.body.chart ?? '')
            .split('/')
            .pop() ?? '',
        ),
      ),
    );
    if (autoscaled) return [];
    return ctx.stacks.flatMap((stack) =>
      resources(stack, 'aws_eks_node_group').flatMap((ng): Violation[] => {
        const min = Number(at(ng.body.scaling_config, 'min_size'));
        const max = Number(at(ng.body.scaling_config, 'max_size'));
        const cluster = literal(stack, ng.body.cluster_name);
        // Only a project that holds the cluster shows whether an autoscaler is installed in it.
        if (!(min < max) || cluster === undefined || !clusters.has(cluster)) return [];
        return [
          {
            stack: stack.name,
            address: ng.address,
            message: `node group ${nameOf(stack, ng, 'node_group_name')} may scale from ${min} to ${max} nodes, but nothing in the project installs an autoscaler for cluster ${cluster}: it stays at its desired size`,
          },
        ];
      }),
    );
  },
};

export const deployabilityRules: readonly Rule[] = [
  providersFromDataSources,
  accessBeforeKubernetes,
  applierHasAccess,
  serviceLinkedRolesFirst,
  accessLogDeliveryPrincipal,
  tokensOutliveApply,
  jobsWaitForWhatTheyUse,
  bindingsHaveListeners,
  nodeGroupsAutoscaled,
];
