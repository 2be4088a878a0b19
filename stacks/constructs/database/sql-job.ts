import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { JobV1 } from '@cdktf/provider-kubernetes/lib/job-v1';
import { Token, type ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { createHash } from 'crypto';
import { POSTGRES_IDENTIFIER } from '../../../src/database/sql';
import { PLATFORM_PRIORITY_CLASS } from '../../../src/model/names';
import { poolSelector, SYSTEM_TOLERATION } from '../../../src/model/node-pools';
import { POSTGRES_PORT } from './database-proxy';

/** Pinned images: the AWS CLI signs the IAM auth token, psql applies the SQL. */
export const SQL_JOB_IMAGES = {
  awsCli: 'public.ecr.aws/aws-cli/aws-cli:2.27.50',
  psql: 'public.ecr.aws/docker/library/postgres:17.6-alpine',
} as const;

/** Labels of every provisioning Pod; the platform's network policy lets exactly these reach the database. */
export const SQL_JOB_POD_LABELS = { 'app.kubernetes.io/name': 'db-provisioner' } as const;

/** RDS Proxy serves an ACM certificate (Amazon Root CA 1), which the image's system CA bundle holds. */
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';
/** The one key of the Job's ConfigMap. */
export const SQL_FILE = 'provision.sql';
const TOKEN_FILE = '/run/db-auth/token';
/** Unprivileged uid/gid for both containers (the images' own users are root and postgres=70). */
const RUN_AS = '65532';
/** Hex characters of the SQL hash in object names: enough to tell revisions apart, short for the 63-character limit. */
export const SQL_JOB_HASH_LENGTH = 10;
const MAX_NAME_LENGTH = 63 - 1 - SQL_JOB_HASH_LENGTH;
/** ConfigMaps hold at most 1 MiB. */
const MAX_SQL_BYTES = 1024 * 1024 - 1024;

/** The Job settings admission pins for tenant pipelines' Jobs (TenantDeployerAccess), as the Job sets them. */
export const SQL_JOB_SPEC = {
  backoffLimit: 3,
  activeDeadlineSeconds: 600,
  priorityClassName: PLATFORM_PRIORITY_CLASS,
  nodeSelector: poolSelector('system'),
  toleration: SYSTEM_TOLERATION,
} as const;

/** The Pod's volumes: the SQL ConfigMap (named like the Job) and two in-memory/scratch emptyDirs. */
export const SQL_JOB_VOLUMES = { sql: 'sql', emptyDirs: ['auth-token', 'tmp'] } as const;

export interface SqlJobContainer {
  readonly name: string;
  readonly image: string;
  readonly command: readonly string[];
  readonly args: readonly string[];
  readonly env: readonly { readonly name: string; readonly value: string }[];
  readonly resources: { readonly requests: Readonly<Record<'cpu' | 'memory', string>>; readonly limits: Readonly<Record<'cpu' | 'memory', string>> };
  readonly volumeMounts: readonly { readonly name: string; readonly mountPath: string; readonly readOnly?: boolean }[];
}

/** Where the token is written and read: an in-memory volume of the Pod. */
const TOKEN_DIR = TOKEN_FILE.slice(0, TOKEN_FILE.lastIndexOf('/'));

/**
 * The two containers of a SQL Job, from its inputs alone: the Job is built from it, and admission
 * compares a tenant pipeline's Job with it (given placeholders for the values it checks apart).
 */
export function sqlJobPod(props: Pick<SqlProvisioningJobProps, 'name' | 'proxyEndpoint' | 'database' | 'dbUser' | 'region'>): {
  authToken: SqlJobContainer;
  psql: SqlJobContainer;
} {
  return {
    authToken: {
      name: 'auth-token',
      image: SQL_JOB_IMAGES.awsCli,
      command: ['/bin/sh', '-c'],
      // generate-db-auth-token signs locally (no API call); the token is valid for 15 minutes.
      args: [
        `umask 077 && aws rds generate-db-auth-token --hostname "$DB_HOST" --port ${POSTGRES_PORT} --username "$DB_USER" --region ` +
          `"$AWS_REGION" > ${TOKEN_FILE}`,
      ],
      env: [
        { name: 'DB_HOST', value: props.proxyEndpoint },
        { name: 'DB_USER', value: props.dbUser },
        { name: 'AWS_REGION', value: props.region },
        { name: 'AWS_STS_REGIONAL_ENDPOINTS', value: 'regional' },
        { name: 'HOME', value: '/tmp' },
      ],
      resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
      volumeMounts: [
        { name: 'auth-token', mountPath: TOKEN_DIR },
        { name: 'tmp', mountPath: '/tmp' },
      ],
    },
    psql: {
      name: 'psql',
      image: SQL_JOB_IMAGES.psql,
      command: ['/bin/sh', '-c'],
      args: [`PGPASSWORD="$(cat ${TOKEN_FILE})" exec psql "$DB_CONNINFO" --no-psqlrc -v ON_ERROR_STOP=1 -f /sql/${SQL_FILE}`],
      env: [
        {
          name: 'DB_CONNINFO',
          value:
            `host=${props.proxyEndpoint} port=${POSTGRES_PORT} dbname=${props.database} user=${props.dbUser} sslmode=verify-full ` +
            `sslrootcert=${CA_BUNDLE} connect_timeout=10 application_name=${props.name}`,
        },
      ],
      resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
      volumeMounts: [
        { name: SQL_JOB_VOLUMES.sql, mountPath: '/sql', readOnly: true },
        { name: 'auth-token', mountPath: TOKEN_DIR, readOnly: true },
      ],
    },
  };
}

export interface SqlProvisioningJobProps {
  /** Base name of the Job and its ConfigMap, e.g. `db-provision-tenant-acme`; a hash of the inputs is appended. */
  readonly name: string;
  /**
   * Namespace of the Job, never a tenant's (tenant admins could run Pods as its service account):
   * the platform's (`tenantctl-system`) for the master user, `tenantctl-provisioning` for the tenant provisioner.
   */
  readonly namespace: string;
  /** Service account bound through IRSA to a role that may `rds-db:connect` as `dbUser` at the proxy. */
  readonly serviceAccount: string;
  /** The SQL to apply (idempotent; run in one psql session with ON_ERROR_STOP). */
  readonly sql: string;
  readonly proxyEndpoint: string;
  readonly database: string;
  /** The database user the SQL runs as (IAM authentication at the proxy). */
  readonly dbUser: string;
  readonly region: string;
  /**
   * What must exist before the Job runs (service account, IAM role, network policy).
   * @default - nothing beyond the Job's own ConfigMap
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * Applies SQL to the platform database through RDS Proxy as one database user, authenticated with
 * an IAM token (no password exists). The Job and its ConfigMap are named after a hash of what
 * they run, so changed SQL replaces the Job and runs it again, while unchanged SQL plans nothing.
 * Terraform waits for the Job, so a failed migration fails the apply.
 *
 * There is no ttlSecondsAfterFinished on purpose: once Kubernetes deletes a finished Job, the
 * provider sees it gone and creates it again on every apply, and no plan would ever be empty.
 */
export class SqlProvisioningJob extends Construct {
  readonly jobName: string;
  readonly job: JobV1;

  constructor(scope: Construct, id: string, props: SqlProvisioningJobProps) {
    super(scope, id);
    validate(props);
    this.jobName = `${props.name}-${SqlProvisioningJob.hash(props)}`;
    const labels = {
      ...SQL_JOB_POD_LABELS,
      'app.kubernetes.io/instance': props.name,
      'app.kubernetes.io/managed-by': 'tenantctl',
    };

    const config = new ConfigMapV1(this, 'sql', {
      metadata: { name: this.jobName, namespace: props.namespace, labels },
      data: { [SQL_FILE]: props.sql },
      immutable: true,
    });

    const pod = sqlJobPod(props);
    const containerSecurity = {
      runAsNonRoot: true,
      runAsUser: RUN_AS,
      runAsGroup: RUN_AS,
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    };
    const container = (c: SqlJobContainer) => ({
      name: c.name,
      image: c.image,
      command: [...c.command],
      args: [...c.args],
      env: c.env.map((e) => ({ ...e })),
      resources: c.resources,
      securityContext: containerSecurity,
      volumeMount: c.volumeMounts.map((m) => ({ ...m })),
    });

    this.job = new JobV1(this, 'job', {
      dependsOn: [config, ...(props.dependsOn ?? [])],
      metadata: { name: this.jobName, namespace: props.namespace, labels },
      waitForCompletion: true,
      timeouts: { create: '15m', update: '15m' },
      spec: {
        backoffLimit: SQL_JOB_SPEC.backoffLimit,
        activeDeadlineSeconds: SQL_JOB_SPEC.activeDeadlineSeconds,
        template: {
          metadata: {
            labels,
            // A sidecar would keep the Pod running after psql exits and the Job would never complete.
            annotations: { 'sidecar.istio.io/inject': 'false' },
          },
          spec: {
            serviceAccountName: props.serviceAccount,
            // IRSA: the EKS webhook projects the web identity token only into Pods that mount service account tokens.
            automountServiceAccountToken: true,
            restartPolicy: 'Never',
            enableServiceLinks: false,
            // It holds database admin rights: never on the nodes that run tenant code.
            nodeSelector: SQL_JOB_SPEC.nodeSelector,
            toleration: [{ ...SQL_JOB_SPEC.toleration }],
            priorityClassName: SQL_JOB_SPEC.priorityClassName,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: RUN_AS,
              runAsGroup: RUN_AS,
              fsGroup: RUN_AS,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            initContainer: [container(pod.authToken)],
            container: [container(pod.psql)],
            volume: [
              { name: SQL_JOB_VOLUMES.sql, configMap: { name: config.metadata.name, defaultMode: '0444' } },
              // In memory: the token never touches the node's disk.
              { name: 'auth-token', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
              // The AWS CLI's home (credential cache) on a read-only root file system.
              { name: 'tmp', emptyDir: { sizeLimit: '64Mi' } },
            ],
          },
        },
      },
    });
  }

  /**
   * Short hash of everything that shapes the Job's Pod and is known at synth time (the SQL above
   * all). A Job's Pod template cannot be changed in place, so any such change must give a new name.
   * Terraform references (the proxy endpoint) are left out: their text is not stable across synths.
   */
  static hash(props: Pick<SqlProvisioningJobProps, 'sql' | 'database' | 'dbUser' | 'region' | 'proxyEndpoint'>): string {
    const inputs = [props.sql, props.database, props.dbUser, props.region, SQL_JOB_IMAGES.awsCli, SQL_JOB_IMAGES.psql];
    if (!Token.isUnresolved(props.proxyEndpoint)) inputs.push(props.proxyEndpoint);
    return createHash('sha256').update(inputs.join('\0')).digest('hex').slice(0, SQL_JOB_HASH_LENGTH);
  }
}

function validate(props: SqlProvisioningJobProps): void {
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(props.name) || props.name.length > MAX_NAME_LENGTH) {
    throw new Error(
      `SQL job name ${JSON.stringify(props.name)} must be a DNS label of at most ${MAX_NAME_LENGTH} characters (a ` +
        `${SQL_JOB_HASH_LENGTH}-character hash is appended)`,
    );
  }
  if (props.sql.trim() === '') throw new Error(`SQL job ${props.name}: the SQL is empty`);
  const bytes = Buffer.byteLength(props.sql, 'utf8');
  if (bytes > MAX_SQL_BYTES)
    throw new Error(`SQL job ${props.name}: the SQL is ${bytes} bytes, more than a ConfigMap holds (${MAX_SQL_BYTES}); split it into several jobs`);
  for (const [field, value] of [
    ['database', props.database],
    ['dbUser', props.dbUser],
  ] as const) {
    if (!POSTGRES_IDENTIFIER.test(value))
      throw new Error(`SQL job ${props.name}: ${field} ${JSON.stringify(value)} must be a plain PostgreSQL identifier`);
  }
}
