import { platformNames, type TenantNames } from '../../../src/model/names';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import { resolveTiers } from '../../../src/model/tiers';
import { renderTenantDropSql, renderTenantSql } from '../../../src/database/sql';
import { SQL_FILE, SQL_JOB_SPEC, SQL_JOB_VOLUMES, sqlJobPod, type SqlJobContainer } from '../database/sql-job';

/** What a tenant pipeline's SQL Job in one shared namespace must be: exactly what SqlProvisioningJob builds. */
export interface SqlJobAdmissionProps {
  /** The namespace of these Jobs (`tenantctl-provisioning`, or the platform namespace for purges). */
  readonly namespace: string;
  readonly serviceAccount: string;
  readonly database: string;
  readonly dbUser: string;
  readonly region: string;
  /** CEL expression of the Job's base name (without the hash), e.g. `'db-provision-tenant-' + variables.tenant`. */
  readonly baseName: string;
  /** Regular expression the proxy endpoint (DB_HOST) must match: the platform's RDS Proxy. */
  readonly proxyHostPattern: string;
  /** CEL expression of the SQL the Job's ConfigMap must hold. */
  readonly sql: string;
  /** Who runs these Jobs, for the messages (`tenant provisioning`). */
  readonly what: string;
}

const NAME_MARKER = 'sqljobnamemarker';
const HOST_MARKER = 'sqljobhostmarker';
const POD = 'object.spec.template.spec';
/** DB_HOST is the auth-token container's first variable; the other strings are compared with it spliced in. */
const HOST = `${POD}.initContainers[0].env[0].value`;

/** A CEL string literal (JSON's escapes are CEL's for these strings). */
export const celString = (value: string): string => JSON.stringify(value);

/** `text` as a CEL expression in which each marker (a plain lowercase word) stands for a CEL expression. */
export function celTemplate(text: string, markers: Record<string, string>): string {
  const keys = Object.keys(markers);
  const parts = keys.length ? text.split(new RegExp(`(${keys.join('|')})`)) : [text];
  return (
    parts
      .filter((p) => p !== '')
      .map((p) => (p in markers ? markers[p] : celString(p)))
      .join(' + ') || '""'
  );
}

/** An RDS Proxy's endpoint: `<name>.proxy-<id>.<region>.rds.amazonaws.com` (`.com.cn` in China). */
export function proxyEndpointPattern(proxyName: string, region: string): string {
  const literal = (s: string) => s.replace(/\./g, '\\.');
  return `^${literal(proxyName)}\\.proxy-[a-z0-9]+\\.${literal(region)}\\.rds\\.amazonaws\\.com(\\.cn)?$`;
}

const list = (values: readonly string[]) => `[${values.join(', ')}]`;
const has = (path: string, field: string) => `has(${path}.${field})`;
const quantity = (path: string, value: string) => `string(${path}) == ${celString(value)}`;

/** Container fields that would run or expose something besides the pinned command. */
const CONTAINER_EXTRAS = ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe', 'restartPolicy', 'workingDir', 'volumeDevices', 'ports'];

function containerMatches(path: string, expected: SqlJobContainer, markers: Record<string, string>): string {
  const { requests, limits } = expected.resources;
  return [
    `${path}.name == ${celString(expected.name)}`,
    `${path}.image == ${celString(expected.image)}`,
    `${has(path, 'command')} && ${path}.command == ${list(expected.command.map(celString))}`,
    `${has(path, 'args')} && ${path}.args == ${list(expected.args.map(celString))}`,
    `!${has(path, 'envFrom')} && ${has(path, 'env')} && ${path}.env.all(e, !has(e.valueFrom))`,
    `${path}.env.map(e, e.name) == ${list(expected.env.map((e) => celString(e.name)))}`,
    `${path}.env.map(e, has(e.value) ? e.value : '') == ${list(expected.env.map((e) => celTemplate(e.value, markers)))}`,
    // Requests and limits as set: larger ones on the system nodes, at platform priority, would crowd out platform Pods.
    `${has(path, 'resources')} && ${has(`${path}.resources`, 'requests')} && ${has(`${path}.resources`, 'limits')}`,
    `${path}.resources.requests.size() == 2 && ${quantity(`${path}.resources.requests.cpu`, requests.cpu)} && ${quantity(`${path}.resources.requests.memory`, requests.memory)}`,
    `${path}.resources.limits.size() == 2 && ${quantity(`${path}.resources.limits.cpu`, limits.cpu)} && ${quantity(`${path}.resources.limits.memory`, limits.memory)}`,
    // Nothing else runs in it: a hook or an exec probe would run its own psql with the token.
    ...CONTAINER_EXTRAS.map((field) => `!${has(path, field)}`),
    `${has(path, 'volumeMounts')} && ${path}.volumeMounts.all(m, !has(m.subPath) && !has(m.subPathExpr) && !has(m.mountPropagation))`,
    `${path}.volumeMounts.map(m, m.name + ':' + m.mountPath + ':' + (has(m.readOnly) && m.readOnly ? 'ro' : 'rw')) == ${list(expected.volumeMounts.map((m) => celString(`${m.name}:${m.mountPath}:${m.readOnly ? 'ro' : 'rw'}`)))}`,
  ].join(' && ');
}

/**
 * Admission validations that pin a tenant pipeline's SQL Jobs and their ConfigMaps in `namespace`
 * to what tenantctl synthesizes: the images, commands, environment, resources, scheduling and
 * service account of SqlProvisioningJob, one run of the Pod, the one ConfigMap named like the Job as
 * its SQL, and that SQL one of the statements tenantctl renders for the tenant. The pipeline chooses
 * only its Job's name (admission pins that to its tenant too), never what the Pod runs.
 */
export function sqlJobValidations(props: SqlJobAdmissionProps): { expression: string; message: string }[] {
  const pod = sqlJobPod({ name: NAME_MARKER, proxyEndpoint: HOST_MARKER, database: props.database, dbUser: props.dbUser, region: props.region });
  // string(): the object's fields are dyn, and the API server's CEL refuses list literals that mix dyn and string.
  const markers = { [NAME_MARKER]: `string(${props.baseName})`, [HOST_MARKER]: `string(${HOST})` };
  const job = (expression: string) =>
    `request.namespace != '${props.namespace}' || request.resource.resource != 'jobs' || request.operation == 'DELETE' || (${expression})`;
  const spec = 'object.spec';
  const flag = (field: string) => `!(${has(POD, field)} && ${POD}.${field})`;
  const toleration = SQL_JOB_SPEC.toleration;
  return [
    {
      expression: job(
        [
          `(${has(spec, 'parallelism')} ? ${spec}.parallelism : 1) == 1`,
          `(${has(spec, 'completions')} ? ${spec}.completions : 1) == 1`,
          `${has(spec, 'backoffLimit')} && ${spec}.backoffLimit == ${SQL_JOB_SPEC.backoffLimit}`,
          `${has(spec, 'activeDeadlineSeconds')} && ${spec}.activeDeadlineSeconds == ${SQL_JOB_SPEC.activeDeadlineSeconds}`,
          `!(${has(spec, 'manualSelector')} && ${spec}.manualSelector)`,
        ].join(' && '),
      ),
      message: `${props.what} Jobs run one Pod at a time, with tenantctl's retries and deadline`,
    },
    {
      expression: job(
        [
          `${has(POD, 'serviceAccountName')} && ${POD}.serviceAccountName == '${props.serviceAccount}'`,
          `${has(POD, 'priorityClassName')} && ${POD}.priorityClassName == '${SQL_JOB_SPEC.priorityClassName}'`,
          `${has(POD, 'nodeSelector')} && ${POD}.nodeSelector == ${JSON.stringify(SQL_JOB_SPEC.nodeSelector).replace(/"/g, "'")}`,
          `${has(POD, 'tolerations')} && ${POD}.tolerations.size() == 1`,
          ...(['key', 'operator', 'value', 'effect'] as const).map(
            (f) => `${has(`${POD}.tolerations[0]`, f)} && ${POD}.tolerations[0].${f} == '${toleration[f]}'`,
          ),
          flag('hostNetwork'),
          flag('hostPID'),
          flag('hostIPC'),
          flag('shareProcessNamespace'),
          `!${has(POD, 'ephemeralContainers')}`,
        ].join(' && '),
      ),
      message: `${props.what} Jobs run as ${props.serviceAccount} on the system nodes at tenantctl's priority, without host namespaces`,
    },
    {
      expression: job(
        [
          `${has(POD, 'initContainers')} && ${POD}.initContainers.size() == 1 && ${containerMatches(`${POD}.initContainers[0]`, pod.authToken, markers)}`,
          `${POD}.containers.size() == 1 && ${containerMatches(`${POD}.containers[0]`, pod.psql, markers)}`,
          `${HOST}.matches(${celString(props.proxyHostPattern)})`,
        ].join(' && '),
      ),
      message: `${props.what} Jobs run tenantctl's images, commands, environment and resources against the platform's database proxy`,
    },
    {
      expression: job(
        [
          `${has(POD, 'volumes')} && ${POD}.volumes.size() == ${1 + SQL_JOB_VOLUMES.emptyDirs.length}`,
          `${POD}.volumes.exists(v, v.name == '${SQL_JOB_VOLUMES.sql}')`,
          // The API server admits one source per volume: a volume with configMap or emptyDir has no hostPath.
          `${POD}.volumes.all(v, v.name == '${SQL_JOB_VOLUMES.sql}' ? has(v.configMap) && v.configMap.name == object.metadata.name && !has(v.configMap.items) : v.name in ${list(SQL_JOB_VOLUMES.emptyDirs.map((n) => `'${n}'`))} && has(v.emptyDir))`,
        ].join(' && '),
      ),
      message: `${props.what} Jobs mount only their own SQL ConfigMap (named like the Job) and scratch space`,
    },
    {
      expression:
        `request.namespace != '${props.namespace}' || request.resource.resource != 'configmaps' || request.operation == 'DELETE' ` +
        `|| (!has(object.binaryData) && has(object.data) && object.data.size() == 1 && '${SQL_FILE}' in object.data && ` +
        `object.data['${SQL_FILE}'] == ${props.sql})`,
      message: `${props.what} SQL is what tenantctl renders for the tenant`,
    },
  ];
}

const TENANT_MARKER = 'tenantidmarker';

/**
 * The validations of both kinds of tenant SQL Jobs: provisioning (as the tenant provisioner, its SQL
 * that of the tier its pipeline is entitled to, `variables.tier`) and purging (as the tenant purger, its SQL the purge of its own
 * tenant). `name` turns a tenant name into a CEL expression of `variables.tenant`.
 */
export function tenantSqlJobValidations(
  platform: PlatformSpec,
  name: (pick: (n: TenantNames) => string) => string,
): { expression: string; message: string }[] {
  const names = platformNames(platform);
  const sql = (text: string) => celTemplate(text, { [TENANT_MARKER]: 'variables.tenant' });
  const common = { database: names.dbName, region: platform.aws.region, proxyHostPattern: proxyEndpointPattern(names.proxy, platform.aws.region) };
  return [
    ...sqlJobValidations({
      ...common,
      namespace: names.namespaces.tenantProvisioning,
      serviceAccount: names.dbTenantProvisionerServiceAccount,
      dbUser: names.dbTenantProvisionerUser,
      baseName: name((n) => n.provisionJob),
      // A chain of conditionals: no SQL for a pipeline without a tier (a removed tenant provisions nothing).
      sql: Object.keys(resolveTiers(platform.tiers))
        .sort()
        .reduceRight(
          (otherwise, tier) =>
            `(variables.tier == ${celString(tier)} ? ${sql(renderTenantSql(platform, { id: TENANT_MARKER, tier }))} : ${otherwise})`,
          '""',
        ),
      what: 'tenant provisioning',
    }),
    ...sqlJobValidations({
      ...common,
      namespace: names.namespaces.platform,
      serviceAccount: names.dbTenantPurgerServiceAccount,
      dbUser: names.dbTenantPurgerUser,
      baseName: name((n) => n.purgeJob),
      sql: sql(renderTenantDropSql(platform, { id: TENANT_MARKER })),
      what: 'tenant purge',
    }),
  ];
}
