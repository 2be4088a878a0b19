import { ConfigMapV1 } from '@cdktf/provider-kubernetes/lib/config-map-v1';
import { Construct } from 'constructs';
import { platformNames } from '../../../src/model/names';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import type { TenantSpec } from '../../../src/model/project';
import { RATE_LIMIT_DESCRIPTOR_LABEL, descriptorFileKey, tenantDescriptorFile } from '../../../src/model/rate-limit';
import { tenantLabels } from './tenant-namespace';

export interface TenantRateLimitProps {
  readonly platform: PlatformSpec;
  readonly tenant: TenantSpec;
}

/**
 * The tenant's limit at the ingress gateway: its descriptor file (the tier's requests per second
 * for the tenant's entry cluster) as a ConfigMap in the rate limit namespace, which the rate
 * limit service loads within seconds. There, out of the tenant admins' reach, no tenant can raise
 * its own limit or touch another's; the admission policy of the cluster stack lets the ConfigMap
 * name only its own namespace. Adding the tenant changes no shared stack.
 */
export class TenantRateLimit extends Construct {
  readonly descriptor: ConfigMapV1;

  constructor(scope: Construct, id: string, props: TenantRateLimitProps) {
    super(scope, id);
    const { tenant } = props;
    const name = tenant.names.rateLimitDescriptor;
    if (name !== tenant.names.namespace) {
      throw new Error(
        `rate limit descriptor ${name} must be named after the tenant namespace ${tenant.names.namespace}: the admission policy compares them`,
      );
    }
    this.descriptor = new ConfigMapV1(this, 'descriptor', {
      metadata: {
        name,
        namespace: platformNames(props.platform).namespaces.rateLimit,
        labels: { ...tenantLabels(tenant), [RATE_LIMIT_DESCRIPTOR_LABEL]: 'true' },
      },
      data: { [descriptorFileKey(name)]: tenantDescriptorFile(tenant.names.namespace, tenant.tierSpec.requestsPerSecond) },
    });
  }
}
