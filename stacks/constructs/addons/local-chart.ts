import type { Release } from '@cdktf/provider-helm/lib/release';
import { AssetType, TerraformAsset, type ITerraformDependable } from 'cdktf';
import type { Construct } from 'constructs';
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { HelmAddon } from './helm-addon';

export interface LocalChartReleaseProps {
  /** The chart directory under templates/charts/. */
  readonly dir: string;
  /** Must exist already (PlatformNamespaces). */
  readonly namespace: string;
  readonly values: Record<string, unknown>;
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A release of one of tenantctl's own charts (templates/charts/<name>), named and versioned by its
 * Chart.yaml. The chart is a Terraform asset, so it travels with the synthesized stack and any
 * change to it changes the asset path, which upgrades the release. Custom resources whose CRDs
 * the same apply installs go through such a chart: kubernetes_manifest needs the CRD at plan time.
 * Creates the asset (`chart`) and the release (`helm`) directly in `scope`.
 */
export function localChartRelease(scope: Construct, props: LocalChartReleaseProps): Release {
  const chart = readChart(props.dir);
  const asset = new TerraformAsset(scope, 'chart', { path: props.dir, type: AssetType.DIRECTORY });
  return new HelmAddon(scope, 'helm', {
    releaseName: chart.name,
    chart: asset.path,
    version: chart.version,
    namespace: props.namespace,
    values: props.values,
    dependsOn: props.dependsOn,
  }).release;
}

/** Name and version of a chart directory. */
export function readChart(dir: string): { name: string; version: string } {
  const file = path.join(dir, 'Chart.yaml');
  const chart = parse(fs.readFileSync(file, 'utf8')) as { name?: unknown; version?: unknown };
  if (typeof chart.name !== 'string' || typeof chart.version !== 'string') {
    throw new Error(`${file} needs a name and a version`);
  }
  return { name: chart.name, version: chart.version };
}
