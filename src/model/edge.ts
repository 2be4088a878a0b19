import type { PlatformSpec } from './platform-schema';

/**
 * Whether the ALB forwards to the Istio ingress gateway's target group. Only with a domain: the
 * HTTPS listener needs its certificate, and without one the ALB answers every request itself.
 * Whatever binds pods to that group (TargetGroupBinding, readiness gates) exists only then.
 */
export function albForwardsToGateway(platform: PlatformSpec): boolean {
  return platform.domain !== undefined;
}
