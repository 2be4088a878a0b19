import { parse } from 'yaml';
import { block, resources, type Json, type ResourceRef } from './json';
import type { StackDocument } from './types';

/**
 * Where the charts of the platform take each workload's scheduling settings: the rules read a
 * release's values at these paths to tell where its pods run and at what priority. Paths are
 * dotted; of several, the first that is set wins (a chart's global fallback comes last). A chart
 * not listed here cannot be checked and is reported as such.
 */
export interface ChartWorkload {
  /** The workload, as messages name it. */
  readonly name: string;
  /** A DaemonSet belongs on every node: its placement is not checked, its priority is. */
  readonly daemonSet?: boolean;
  readonly nodeSelector?: readonly string[];
  readonly tolerations?: readonly string[];
  /**
   * Value path of the workload's PriorityClass name.
   * @default - the chart takes none: its pods keep the default priority (checked by placement only)
   */
  readonly priorityClassName?: string;
  /** The class the chart uses when the value is unset (or always, without a value path). */
  readonly defaultPriorityClass?: string;
}

const at2 = (prefix: string) => ({
  nodeSelector: [`${prefix}.nodeSelector`],
  tolerations: [`${prefix}.tolerations`],
  priorityClassName: `${prefix}.priorityClassName`,
});
const top = { nodeSelector: ['nodeSelector'], tolerations: ['tolerations'], priorityClassName: 'priorityClassName' };
const kyvernoController = (name: string): ChartWorkload => ({
  name,
  nodeSelector: [`${name}.nodeSelector`, 'global.nodeSelector'],
  tolerations: [`${name}.tolerations`, 'global.tolerations'],
  priorityClassName: `${name}.priorityClassName`,
});
/** Argo CD components fall back to the chart's `global` placement and priority (tenantctl sets only those). */
const argoCdComponent = (name: string, prefix: string): ChartWorkload => ({
  name,
  nodeSelector: [`${prefix}.nodeSelector`, 'global.nodeSelector'],
  tolerations: [`${prefix}.tolerations`, 'global.tolerations'],
  priorityClassName: 'global.priorityClassName',
});
const kyvernoHook = (name: string, prefix: string): ChartWorkload => ({
  name,
  nodeSelector: [`${prefix}.nodeSelector`, 'global.nodeSelector'],
  tolerations: [`${prefix}.tolerations`, 'global.tolerations'],
});

/** Workloads of each chart, by chart name (the last segment of an OCI reference). Local charts (assets/...) carry no workloads. */
export const PLATFORM_CHART_WORKLOADS: Readonly<Record<string, readonly ChartWorkload[]>> = {
  'aws-load-balancer-controller': [{ name: 'controller', ...top, defaultPriorityClass: 'system-cluster-critical' }],
  'metrics-server': [{ name: 'metrics-server', ...top, defaultPriorityClass: 'system-cluster-critical' }],
  'cluster-autoscaler': [{ name: 'cluster-autoscaler', ...top }],
  karpenter: [{ name: 'karpenter', ...top, defaultPriorityClass: 'system-cluster-critical' }],
  base: [],
  cni: [{ name: 'CNI node agent', daemonSet: true, defaultPriorityClass: 'system-node-critical' }],
  istiod: [{ name: 'istiod', nodeSelector: ['nodeSelector'], tolerations: ['tolerations'], priorityClassName: 'global.priorityClassName' }],
  gateway: [{ name: 'ingress gateway', ...top }],
  kyverno: [
    kyvernoController('admissionController'),
    kyvernoController('backgroundController'),
    kyvernoController('cleanupController'),
    kyvernoController('reportsController'),
    kyvernoHook('webhook cleanup hooks', 'webhooksCleanup'),
    kyvernoHook('CRD migration hook', 'crds.migration'),
  ],
  'kube-prometheus-stack': [
    { name: 'prometheus-operator', ...at2('prometheusOperator') },
    { name: 'admission webhook patch job', ...at2('prometheusOperator.admissionWebhooks.patch') },
    { name: 'prometheus', ...at2('prometheus.prometheusSpec') },
    { name: 'alertmanager', ...at2('alertmanager.alertmanagerSpec') },
    { name: 'grafana', ...at2('grafana') },
    { name: 'kube-state-metrics', ...at2('kube-state-metrics') },
    { name: 'node-exporter', daemonSet: true, priorityClassName: 'prometheus-node-exporter.priorityClassName' },
  ],
  jaeger: [{ name: 'jaeger', nodeSelector: ['jaeger.nodeSelector'], tolerations: ['jaeger.tolerations'] }],
  'argo-cd': [
    argoCdComponent('application controller', 'controller'),
    argoCdComponent('API server', 'server'),
    argoCdComponent('repo server', 'repoServer'),
    argoCdComponent('ApplicationSet controller', 'applicationSet'),
    argoCdComponent('notifications controller', 'notifications'),
    argoCdComponent('Redis secret init job', 'redisSecretInit'),
    { name: 'redis-ha', ...at2('redis-ha') },
    { name: 'redis-ha haproxy', ...at2('redis-ha.haproxy') },
  ],
  // The dashboard stays off (ArgoRollouts), so the controller is the chart's only workload.
  'argo-rollouts': [{ name: 'controller', ...at2('controller') }],
  'kiali-server': [
    {
      name: 'kiali',
      nodeSelector: ['deployment.node_selector'],
      tolerations: ['deployment.tolerations'],
      priorityClassName: 'deployment.priority_class_name',
    },
  ],
};

export interface PlatformRelease {
  readonly ref: ResourceRef;
  readonly chart: string;
  /** The chart's workloads, or undefined for a chart this table does not know. */
  readonly workloads?: readonly ChartWorkload[];
  /** The merged values documents; undefined when one cannot be read. */
  readonly values?: Json;
}

/** Local charts travel as Terraform assets. */
const isLocalChart = (chart: string) => chart.startsWith('assets/') || chart.startsWith('./') || chart.startsWith('/');

/** The Helm releases of a stack with their chart's workloads and values. */
export function platformReleases(stack: StackDocument): PlatformRelease[] {
  return resources(stack, 'helm_release').map((ref) => {
    const source = String(ref.body.chart ?? '');
    const chart = isLocalChart(source) ? source : (source.split('/').pop() ?? source);
    const workloads = isLocalChart(source) ? [] : PLATFORM_CHART_WORKLOADS[chart];
    return { ref, chart, workloads, values: releaseValues(ref) };
  });
}

/** Helm's merge of the release's values documents (later ones win); undefined if one does not parse. */
export function releaseValues(ref: ResourceRef): Json | undefined {
  const docs = Array.isArray(ref.body.values) ? ref.body.values : ref.body.values === undefined ? [] : [ref.body.values];
  let merged: Json = {};
  for (const doc of docs) {
    let parsed: unknown;
    try {
      parsed = typeof doc === 'string' ? parse(doc) : doc;
    } catch {
      return undefined;
    }
    if (parsed === null || parsed === undefined) continue;
    if (typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    merged = mergeValues(merged, parsed as Json);
  }
  return merged;
}

function mergeValues(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isObject(b) && isObject(v) ? mergeValues(b, v) : v;
  }
  return out;
}

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The value at a dotted path of plain objects. */
export function valueAt(values: Json | undefined, path: string): unknown {
  let cur: unknown = values;
  for (const key of path.split('.')) {
    if (!isObject(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

/** The first value set (not undefined, null or empty) among paths, as Helm's `default` picks. */
export function firstSet(values: Json | undefined, paths: readonly string[] = []): unknown {
  for (const p of paths) {
    const v = valueAt(values, p);
    const empty = v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0);
    if (!empty) return v;
  }
  return undefined;
}

/** Parses a JSON attribute (an add-on's configuration_values); undefined when it is not literal JSON. */
export function jsonAttribute(value: unknown): Json | undefined {
  if (typeof value !== 'string') return block(value);
  try {
    const parsed = JSON.parse(value);
    return isObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
