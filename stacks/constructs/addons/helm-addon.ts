import { Release } from '@cdktf/provider-helm/lib/release';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { EXACT_VERSION } from '../../../src/model/versions';

export interface HelmAddonProps {
  readonly releaseName: string;
  readonly chart: string;
  /**
   * Helm repository URL.
   * @default - none: `chart` is a local chart directory
   */
  readonly repository?: string;
  /** Exact chart version such as 1.29.2 (ranges would let a plan install something unreviewed). */
  readonly version: string;
  /** Must exist already: namespaces are created with their labels by PlatformNamespaces. */
  readonly namespace: string;
  /**
   * Chart values.
   * @default - the chart's defaults
   */
  readonly values?: Record<string, unknown>;
  /**
   * Resources the release must wait for.
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/** Settings every release shares (values are props). */
const RELEASE_DEFAULTS = {
  /** Roll back a failed install or upgrade instead of leaving a half-applied release. */
  atomic: true,
  cleanupOnFail: true,
  wait: true,
  /** Seconds; also the lifetime of the EKS token the providers authenticate with. */
  timeout: 900,
  createNamespace: false,
  maxHistory: 10,
} as const;

/**
 * The base of every add-on (cdk-eks-blueprints' HelmAddOn): one helm_release with a pinned chart
 * version, an existing namespace, and the values rendered to one JSON document (valid YAML), so
 * Terraform shows value changes as one reviewable diff and references inside values resolve.
 */
export class HelmAddon extends Construct {
  readonly release: Release;

  constructor(scope: Construct, id: string, props: HelmAddonProps) {
    super(scope, id);
    if (!props.version || !EXACT_VERSION.test(props.version)) {
      throw new Error(
        `chart ${props.chart} (release ${props.releaseName}): version ${JSON.stringify(props.version)} is not an exact version: pin one ` +
          `such as 1.2.3 in stacks/constructs/addons/versions.ts`,
      );
    }
    this.release = new Release(this, 'release', {
      ...RELEASE_DEFAULTS,
      name: props.releaseName,
      chart: props.chart,
      repository: props.repository,
      version: props.version,
      namespace: props.namespace,
      values: props.values ? [JSON.stringify(props.values, null, 2)] : undefined,
      dependsOn: props.dependsOn,
    });
  }
}
