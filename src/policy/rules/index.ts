import type { Rule } from '../types';
import { alertDeliveryRules } from './alert-delivery';
import { canaryRules } from './canary';
import { consistencyRules } from './consistency';
import { databaseJobRules } from './database-jobs';
import { deployabilityRules } from './deployability';
import { gitopsRules } from './gitops';
import { identityRules } from './identity';
import { manifestSchema } from './manifest-schema';
import { meshEgressRules } from './mesh-egress';
import { monitoringIsolationRules } from './monitoring-isolation';
import { nodeIdentityRules } from './node-identity';
import { pipelineRules } from './pipeline';
import { platformSecurityRules } from './platform-security';
import { quotaRules } from './quotas';
import { rateLimitRules } from './rate-limit';
import { schedulingRules } from './scheduling';
import { tenantAdmissionRules } from './tenant-admission';
import { tenantIsolationRules } from './tenant-isolation';

export * from './alert-delivery';
export * from './canary';
export * from './consistency';
export * from './database-jobs';
export * from './deployability';
export * from './gitops';
export * from './identity';
export * from './manifest-schema';
export * from './mesh-egress';
export * from './monitoring-isolation';
export * from './node-identity';
export * from './pipeline';
export * from './platform-security';
export * from './quotas';
export * from './rate-limit';
export * from './scheduling';
export * from './tenant-admission';
export * from './tenant-isolation';

/** Every rule `tenantctl validate` runs, in report order. */
export const allRules: readonly Rule[] = [
  ...tenantIsolationRules,
  ...pipelineRules,
  ...quotaRules,
  ...tenantAdmissionRules,
  ...rateLimitRules,
  ...platformSecurityRules,
  ...consistencyRules,
  manifestSchema,
  ...deployabilityRules,
  ...schedulingRules,
  ...nodeIdentityRules,
  ...monitoringIsolationRules,
  ...alertDeliveryRules,
  ...meshEgressRules,
  ...databaseJobRules,
  ...gitopsRules,
  ...identityRules,
  ...canaryRules,
];
