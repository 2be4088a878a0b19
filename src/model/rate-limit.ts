import { TENANT_ENTRY_SERVICE, tenantEntryHost } from './names';

/**
 * The per-tenant rate limit at the shared ingress gateway: Envoy's rate limit filter asks
 * envoyproxy/ratelimit about every request the gateway routes, with one descriptor, the upstream
 * cluster the route picked (Envoy's `destination_cluster` action). A tenant's routes all lead to
 * its entry Service, so that cluster names the tenant, and ratelimit counts it in one Redis
 * counter per second whatever the number of gateway or tenant pods. The descriptor is derived
 * from the route tenantctl writes, never from a header a client controls (host case, ports).
 *
 * Each tenant's limit is one descriptor file written by its own stack; the cluster stack writes
 * the fallback for clusters no tenant file names. The files are one line of JSON (which is YAML,
 * what ratelimit reads), so the admission policy can check them as strings.
 */

/** Domain the gateway's filter sends and every descriptor file declares. */
export const RATE_LIMIT_DOMAIN = 'tenantctl-ingress';
/** Key of the descriptor entry Envoy's `destination_cluster` action produces. */
export const RATE_LIMIT_DESCRIPTOR_KEY = 'destination_cluster';
/** Label (value "true") of the ConfigMaps the rate limit service loads descriptor files from. */
export const RATE_LIMIT_DESCRIPTOR_LABEL = 'tenantctl.io/ratelimit-descriptor';
/** Release (and chart) name of the rate limit service, templates/charts/platform-ratelimit. */
export const RATE_LIMIT_RELEASE = 'platform-ratelimit';
/** gRPC port of the rate limit service. */
export const RATE_LIMIT_GRPC_PORT = 8081;
/** The unit every descriptor counts in: tiers give requests per second. */
export const RATE_LIMIT_UNIT = 'second';
/** ratelimit parses requests_per_unit as a uint32. */
export const MAX_REQUESTS_PER_UNIT = 4294967295;

/** Istio's name for the outbound cluster of a service port, which `destination_cluster` reports. */
export function istioOutboundCluster(host: string, port: number): string {
  return `outbound|${port}||${host}`;
}

/** The cluster the gateway routes a tenant's requests to: the tenant's entry Service. */
export function tenantEntryCluster(namespace: string): string {
  return istioOutboundCluster(tenantEntryHost(namespace), TENANT_ENTRY_SERVICE.port);
}

/**
 * ratelimit names a descriptor's statistics `<key>_<value>` with `|` and `:` made `_`, and its
 * default Prometheus mapping splits that name at dots: a tenant's series carry key1 =
 * `destination_cluster_outbound_8080__gateway` and key2 = the tenant namespace. The PodMonitor
 * copies key2 of those series into {@link RATE_LIMIT_NAMESPACE_LABEL}, which dashboards select.
 */
export const TENANT_STAT_KEY1 = `${RATE_LIMIT_DESCRIPTOR_KEY}_${istioOutboundCluster(TENANT_ENTRY_SERVICE.name, TENANT_ENTRY_SERVICE.port)}`.replace(
  /[|:]/g,
  '_',
);
export const RATE_LIMIT_NAMESPACE_LABEL = 'destination_namespace';

/** The text of a descriptor file around its requests_per_unit. */
export interface DescriptorTemplate {
  readonly head: string;
  readonly tail: string;
}

/** A descriptor for one value of the key, or (no value) for every value no other descriptor names. */
function descriptorTemplate(value?: string): DescriptorTemplate {
  const json = (v: string) => JSON.stringify(v);
  const entry = value === undefined ? '' : `"value":${json(value)},`;
  return {
    head: `{"domain":${json(RATE_LIMIT_DOMAIN)},"descriptors":[{"key":${json(RATE_LIMIT_DESCRIPTOR_KEY)},${entry}"rate_limit":{"unit":${json(RATE_LIMIT_UNIT)},"requests_per_unit":`,
    tail: '}}]}',
  };
}

function render(template: DescriptorTemplate, requestsPerSecond: number): string {
  if (!Number.isInteger(requestsPerSecond) || requestsPerSecond < 1 || requestsPerSecond > MAX_REQUESTS_PER_UNIT) {
    throw new Error(`rate limit ${requestsPerSecond} requests/s is not usable: give a whole number from 1 to ${MAX_REQUESTS_PER_UNIT}`);
  }
  return `${template.head}${requestsPerSecond}${template.tail}`;
}

/** The text of one tenant's descriptor file around its rate, for admission to compare with. */
export function tenantDescriptorParts(namespace: string): DescriptorTemplate {
  return descriptorTemplate(tenantEntryCluster(namespace));
}

/** The descriptor file of one tenant: its namespace's entry cluster at the tier's rate. */
export function tenantDescriptorFile(namespace: string, requestsPerSecond: number): string {
  return render(tenantDescriptorParts(namespace), requestsPerSecond);
}

/** The fallback for gateway routes no tenant file names (each such cluster still gets its own counter). */
export function defaultDescriptorFile(requestsPerSecond: number): string {
  return render(descriptorTemplate(), requestsPerSecond);
}

/** The key a descriptor ConfigMap holds its one file under: `<ConfigMap name>.yaml`. */
export function descriptorFileKey(configMapName: string): string {
  return `${configMapName}.yaml`;
}

/** A CEL string literal (single quotes; the texts above hold neither quotes of that kind nor backslashes). */
function celString(text: string): string {
  if (/['\\\n]/.test(text)) throw new Error(`cannot write ${JSON.stringify(text)} as a CEL string literal`);
  return `'${text}'`;
}

/**
 * CEL variables and validation of the admission policy over descriptor ConfigMaps: a ConfigMap
 * named `tenant-<id>` may only hold `tenant-<id>.yaml`, the descriptor of namespace
 * `tenant-<id>`'s entry cluster exactly as {@link tenantDescriptorFile} writes it, with any
 * rate; `defaultName` may only hold the fallback. So whoever may write ConfigMaps there (a
 * tenant's pipeline) cannot write another tenant's limit, nest descriptors, or break the files
 * every tenant's limit is loaded with.
 */
export function descriptorAdmission(defaultName: string): { variables: { name: string; expression: string }[]; expression: string; message: string } {
  const PLACEHOLDER = '@namespace@';
  const tenant = descriptorTemplate(tenantEntryCluster(PLACEHOLDER));
  const fallback = descriptorTemplate();
  const [before, after, ...rest] = tenant.head.split(PLACEHOLDER);
  if (rest.length || after === undefined || tenant.tail !== fallback.tail)
    throw new Error('descriptor templates changed shape: update descriptorAdmission');
  const tail = celString(tenant.tail);
  return {
    variables: [
      { name: 'name', expression: 'object.metadata.name' },
      { name: 'file', expression: `object.metadata.name + '.yaml'` },
      { name: 'text', expression: `has(object.data) && size(object.data) == 1 && variables.file in object.data ? object.data[variables.file] : ''` },
      {
        name: 'head',
        expression:
          `variables.name == ${celString(defaultName)} ? ${celString(fallback.head)} : ${celString(before)} + variables.name + ` +
          `${celString(after)}`,
      },
      {
        name: 'rate',
        expression:
          `variables.text.startsWith(variables.head) && variables.text.endsWith(${tail}) && size(variables.text) > ` +
          `size(variables.head) + size(${tail}) ? variables.text.substring(size(variables.head), size(variables.text) - size(${tail})) : ''`,
      },
    ],
    expression:
      `(variables.name == ${celString(defaultName)} || variables.name.matches('^tenant-[a-z0-9]([a-z0-9-]*[a-z0-9])?$')) && ` +
      `variables.rate.matches('^[1-9][0-9]{0,9}$') && int(variables.rate) <= ${MAX_REQUESTS_PER_UNIT}`,
    message:
      `a rate limit descriptor ConfigMap is named tenant-<id> (or ${defaultName}) and holds one key, <name>.yaml, with the ` +
      `descriptor tenantctl writes for that name`,
  };
}
