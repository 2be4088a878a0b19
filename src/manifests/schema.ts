/**
 * Schema validation of Kubernetes and Istio objects (what `kubernetes_manifest` resources and
 * charts send to the API server), against the published OpenAPI schemas packaged as
 * kubernetes-models (Kubernetes 1.3x), @kubernetes-models/istio, argo-cd and argo-rollouts. Model modules are required on
 * demand, one per kind, so commands that never validate pay nothing at start-up.
 *
 * Limits: the schemas check types, enums and required fields, not unknown fields (most CRD schemas
 * allow them), and a Terraform reference (`${...}`) passes only where the schema takes a string.
 */

export interface SchemaProblem {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly message: string;
}

interface ModelClass {
  readonly apiVersion?: string;
  readonly kind?: string;
  new (data: Record<string, unknown>): { validate(): void };
}

interface SchemaError {
  readonly instancePath?: string;
  readonly message?: string;
  readonly params?: { readonly allowedValues?: unknown[] };
}

/** Model packages of each API group outside core Kubernetes (kubernetes-models holds the rest); Argo CD and Argo Rollouts share theirs. */
const GROUP_PACKAGES: readonly [RegExp, string[]][] = [
  [/\.istio\.io$/, ['@kubernetes-models/istio']],
  [/^monitoring\.coreos\.com$/, ['@kubernetes-models/prometheus-operator']],
  [/^kyverno\.io$/, ['@kubernetes-models/kyverno']],
  [/^argoproj\.io$/, ['@kubernetes-models/argo-cd', '@kubernetes-models/argo-rollouts']],
];

/**
 * Versions Istio serves with the schema of an older version the model package has (Istio 1.22
 * promoted these APIs to v1 unchanged). Used only when the package has no model of its own.
 */
const SAME_SCHEMA_AS: Readonly<Record<string, string>> = {
  'security.istio.io/v1': 'security.istio.io/v1beta1',
  'networking.istio.io/v1': 'networking.istio.io/v1beta1',
};

const GROUP = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;
const VERSION = /^v\d+((alpha|beta)\d+)?$/;
const KIND = /^[A-Z][A-Za-z0-9]*$/;

const models = new Map<string, { model: ModelClass; apiVersion: string } | undefined>();

/** True when the object's apiVersion and kind have a schema to validate against. */
export function isKnownKind(apiVersion: string, kind: string): boolean {
  return modelOf(apiVersion, kind) !== undefined;
}

/** Validates one object against its schema; undefined when it is valid. */
export function validateManifest(obj: Record<string, unknown>): SchemaProblem | undefined {
  const apiVersion = typeof obj.apiVersion === 'string' ? obj.apiVersion : '';
  const kind = typeof obj.kind === 'string' ? obj.kind : '';
  const metadata = (obj.metadata ?? {}) as Record<string, unknown>;
  const name = typeof metadata.name === 'string' ? metadata.name : '';
  const problem = (message: string): SchemaProblem => ({ apiVersion, kind, name, message });

  if (!apiVersion || !kind) return problem('apiVersion and kind must be non-empty strings');
  const found = modelOf(apiVersion, kind);
  if (!found) {
    return problem(
      `${apiVersion} ${kind} has no schema in kubernetes-models, @kubernetes-models/istio, @kubernetes-models/prometheus-operator, ` +
        `@kubernetes-models/kyverno, @kubernetes-models/argo-cd or @kubernetes-models/argo-rollouts: check the apiVersion and kind, or validate it against its CRD another way`,
    );
  }
  if (!name && typeof metadata.generateName !== 'string') return problem('metadata.name is required');
  try {
    new found.model({ ...obj, apiVersion: found.apiVersion }).validate();
    return undefined;
  } catch (err) {
    const errors = (err as { errors?: SchemaError[] }).errors;
    if (!Array.isArray(errors)) throw err;
    return problem(describe(errors));
  }
}

function modelOf(apiVersion: string, kind: string): { model: ModelClass; apiVersion: string } | undefined {
  const key = `${apiVersion} ${kind}`;
  if (!models.has(key)) {
    const alias = SAME_SCHEMA_AS[apiVersion];
    models.set(key, load(apiVersion, kind) ?? (alias ? load(alias, kind) : undefined));
  }
  return models.get(key);
}

function load(apiVersion: string, kind: string): { model: ModelClass; apiVersion: string } | undefined {
  const parts = apiVersion.split('/');
  const [group, version] = parts.length === 2 ? parts : ['', parts[0]];
  if (parts.length > 2 || (group && !GROUP.test(group)) || !VERSION.test(version) || !KIND.test(kind)) return undefined;
  for (const pkg of GROUP_PACKAGES.find(([pattern]) => pattern.test(group))?.[1] ?? ['kubernetes-models']) {
    const model = required([pkg, group, version, kind].filter(Boolean).join('/'), kind);
    // Schemas of nested types (v1/Affinity, ...) are modules too; only top-level kinds carry TypeMeta.
    if (typeof model === 'function' && model.apiVersion === apiVersion && model.kind === kind) return { model, apiVersion };
  }
  return undefined;
}

/** The export named `kind` of a model module, or undefined when the package has no such module. */
function required(modulePath: string, kind: string): ModelClass | undefined {
  try {
    return (require(modulePath) as Record<string, unknown>)[kind] as ModelClass | undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'MODULE_NOT_FOUND' || code === 'ERR_PACKAGE_PATH_NOT_EXPORTED') return undefined;
    throw err;
  }
}

/** `spec.action must be equal to one of the allowed values (ALLOW, DENY, AUDIT, CUSTOM)`, ... */
function describe(errors: SchemaError[]): string {
  const lines = errors.map((e) => {
    const at = (e.instancePath ?? '').split('/').filter(Boolean).join('.') || '(root)';
    const allowed = e.params?.allowedValues ? ` (${e.params.allowedValues.join(', ')})` : '';
    return `${at} ${e.message ?? 'is invalid'}${allowed}`;
  });
  return [...new Set(lines)].join('; ');
}
