import type { Rule } from '../types';
import { consistencyRules } from './consistency';
import { manifestSchema } from './manifest-schema';
import { platformSecurityRules } from './platform-security';
import { rateLimitRules } from './rate-limit';
import { tenantIsolationRules } from './tenant-isolation';

export * from './consistency';
export * from './manifest-schema';
export * from './platform-security';
export * from './rate-limit';
export * from './tenant-isolation';

/** Every rule `tenantctl validate` runs, in report order. */
export const allRules: readonly Rule[] = [...tenantIsolationRules, ...rateLimitRules, ...platformSecurityRules, ...consistencyRules, manifestSchema];
