import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { ANALYSIS_ARG_VALUE } from '../../../src/model/canary';
import { TENANT_LABEL } from '../../../src/model/labels';
import { PLATFORM_OPERATORS_GROUP, platformNames, tenantNames } from '../../../src/model/names';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import { analysisValidations } from './analysis-admission';
import { TENANT_MESH_KINDS, meshValidations } from './tenant-deployer-access';
import { validatingAdmissionPolicy } from './validating-admission-policy';

export interface TenantNamespaceAdmissionProps {
  readonly platform: PlatformSpec;
  readonly dependsOn?: ITerraformDependable[];
}

/** Controllers of the control plane (the namespace controller empties a namespace being deleted). */
const CONTROL_PLANE_PREFIX = 'system:serviceaccount:kube-system:';

/**
 * What holds in every tenant namespace whoever writes there (a tenant admin, a service account a
 * RoleBinding empowers, a controller of the tenant's, its pipeline), but the platform's operators
 * and the control plane: the objects that reach past the namespace are checked as the tenant
 * pipeline's are, against the tenant the namespace's label names. So a pipeline cannot escape its
 * own admission checks by acting through a service account of its namespace.
 *
 * - the ResourceQuota is written only by the tenant's pipeline (whose entitlement the deployer
 *   policy checks) or the platform;
 * - the deployer ClusterRole is bound only to the tenant's pipeline group;
 * - VirtualServices, DestinationRules, ServiceEntries and EnvoyFilters say what the deployer policy
 *   lets them say;
 * - Kyverno Policies only mutate the namespace's own Pods: no context (an apiCall runs with
 *   Kyverno's cluster-wide read), no generate, validate or image verification, no mutation of other
 *   objects;
 * - Services take no external IPs (kube-proxy would steer every pod's traffic to them);
 * - Rollouts are canaries with the tenant stack's canary gates as background analysis (a failed
 *   gate aborts), and every analysis they run is an AnalysisTemplate of the namespace, which only
 *   the tenant stack writes (the AppProject denies them to Argo CD);
 * - AnalysisTemplates are the tenant stack's: its two names, the platform Prometheus, its queries.
 */
export function tenantNamespaceAdmissionSpec(platform: PlatformSpec): Record<string, unknown> {
  const names = platformNames(platform);
  const groups = names.tenantDeployers;
  const writes = ['CREATE', 'UPDATE'];
  const kind = (resource: string, expression: string) => `request.resource.resource != '${resource}' || (${expression})`;
  return {
    failurePolicy: 'Fail',
    matchConstraints: {
      namespaceSelector: { matchExpressions: [{ key: TENANT_LABEL, operator: 'Exists' }] },
      resourceRules: [
        { apiGroups: [''], apiVersions: ['v1'], operations: [...writes, 'DELETE'], resources: ['resourcequotas'] },
        { apiGroups: [''], apiVersions: ['v1'], operations: writes, resources: ['services'] },
        { apiGroups: ['rbac.authorization.k8s.io'], apiVersions: ['v1'], operations: writes, resources: ['rolebindings'] },
        { apiGroups: ['networking.istio.io'], apiVersions: ['*'], operations: writes, resources: [...TENANT_MESH_KINDS] },
        { apiGroups: ['kyverno.io'], apiVersions: ['*'], operations: writes, resources: ['policies'] },
        { apiGroups: ['argoproj.io'], apiVersions: ['*'], operations: writes, resources: ['rollouts', 'analysistemplates'] },
      ],
    },
    matchConditions: [
      {
        name: 'not-platform-operators',
        expression: `!('${PLATFORM_OPERATORS_GROUP}' in request.userInfo.groups) && !('system:masters' in request.userInfo.groups)`,
      },
      { name: 'not-control-plane', expression: `!request.userInfo.username.startsWith('${CONTROL_PLANE_PREFIX}')` },
    ],
    variables: [
      // meshValidations name the tenant `variables.tenant`: here the namespace's, not the requester's.
      {
        name: 'tenant',
        expression:
          `has(namespaceObject.metadata.labels) && '${TENANT_LABEL}' in namespaceObject.metadata.labels ? ` +
          `namespaceObject.metadata.labels['${TENANT_LABEL}'] : ''`,
      },
    ],
    validations: [
      {
        expression: kind('resourcequotas', `'${groups.group}' in request.userInfo.groups`),
        message: "a tenant namespace's ResourceQuota is written by its pipeline or the platform only",
      },
      {
        expression: kind(
          'rolebindings',
          `object.roleRef.name != '${groups.namespaceRole}' || (has(object.subjects) && object.subjects.size() == 1 && ` +
            `object.subjects[0].kind == 'Group' && object.subjects[0].name == '${groups.tenantGroupPrefix}' + variables.tenant)`,
        ),
        message: `the ClusterRole ${groups.namespaceRole} is bound only to the tenant's pipeline group (${groups.tenantGroupPrefix}<tenant>)`,
      },
      {
        expression: kind('services', `!has(object.spec.externalIPs) || object.spec.externalIPs.size() == 0`),
        message: 'Services of a tenant take no external IPs',
      },
      {
        expression: kind(
          'policies',
          `has(object.spec.rules) && object.spec.rules.all(r, has(r.mutate) && !has(r.context) && !has(r.generate) && !has(r.validate) && ` +
            `!has(r.verifyImages) && !has(r.mutate.targets))`,
        ),
        message: "a tenant's Kyverno Policies only mutate its own Pods, without context (API calls), generate, validate or image verification rules",
      },
      ...meshValidations(platform),
      ...rolloutValidations(platform),
      ...analysisValidations(platform),
    ],
  };
}

/** CEL: the analysis `a` passes only literal arguments that cannot change the query they are pasted into. */
const literalArgs = (a: string) =>
  `(!has(${a}.args) || ${a}.args.all(x, !has(x.valueFrom) && has(x.value) && x.value.matches('${ANALYSIS_ARG_VALUE}')))`;

/** A Rollout's canary and where its analyses come from. */
function rolloutValidations(platform: PlatformSpec): { expression: string; message: string }[] {
  const gates = tenantNames(platform, 'x').canaryAnalysis;
  const kind = (expression: string) => `request.resource.resource != 'rollouts' || (${expression})`;
  const canary = 'object.spec.strategy.canary';
  const namespaced = (templates: string) => `${templates}.all(t, !has(t.clusterScope) || !t.clusterScope)`;
  return [
    {
      expression: kind(
        `has(object.spec.strategy) && has(${canary}) && !has(object.spec.strategy.blueGreen) && has(${canary}.analysis) && has(${canary}.analysis.templates) && ${canary}.analysis.templates.exists(t, t.templateName == '${gates}') && !has(${canary}.analysis.startingStep)`,
      ),
      message: `a tenant's Rollouts are canaries analysed from their first step by the tenant's canary gates (AnalysisTemplate ${gates}), which abort a failing canary`,
    },
    {
      expression: kind(
        `!(has(object.spec.strategy) && has(${canary}) && has(${canary}.analysis) && has(${canary}.analysis.templates)) || ${namespaced(`${canary}.analysis.templates`)} && (!has(${canary}.steps) || ${canary}.steps.all(s, !has(s.experiment) && (!has(s.analysis) || ${namespaced('s.analysis.templates')})))`,
      ),
      message: "a tenant's Rollouts run only AnalysisTemplates of their namespace (the tenant stack's), and no experiments",
    },
    {
      expression: kind(
        `!(has(object.spec.strategy) && has(${canary})) || ((!has(${canary}.analysis) || ${literalArgs(`${canary}.analysis`)}) && (!has(${canary}.steps) || ${canary}.steps.all(s, !has(s.analysis) || ${literalArgs('s.analysis')})))`,
      ),
      message: `a tenant's Rollouts pass their analyses only literal arguments matching ${ANALYSIS_ARG_VALUE} (a service name or an image tag): the templates' queries embed them`,
    },
  ];
}

/** The policy of tenantNamespaceAdmissionSpec: one object whatever the number of tenants. */
export class TenantNamespaceAdmission extends Construct {
  constructor(scope: Construct, id: string, props: TenantNamespaceAdmissionProps) {
    super(scope, id);
    const name = platformNames(props.platform).tenantNamespaceAdmissionPolicy;
    validatingAdmissionPolicy(this, 'admission-policy', { name, spec: tenantNamespaceAdmissionSpec(props.platform), dependsOn: props.dependsOn });
  }
}
