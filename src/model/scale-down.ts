import { z } from 'zod';

/**
 * Scheduled scale-down of the shared tenant nodes (`eks.nodeGroups.tenants.scaleDown`): every
 * night, and with `weekends` from Friday night to Monday morning, the On-Demand tenants group's
 * minimum drops to `minSize`; in the morning it returns to the group's own minimum. Only the
 * minimum moves: Cluster Autoscaler, which owns the desired size, then drains and removes the
 * nodes that are idle (respecting PodDisruptionBudgets) instead of the Auto Scaling group
 * terminating running nodes, and scales up again if tenants are busy at night.
 */
export const scaleDownSchema = z
  .object({
    /** Minimum size of the On-Demand tenants group during the scaled-down hours. */
    minSize: z.number().int().min(0).max(100),
    /** Hour (0-23, in timeZone) the night starts. */
    downAt: z.number().int().min(0).max(23),
    /** Hour (0-23, in timeZone) the morning starts: before downAt, the night spans midnight. */
    upAt: z.number().int().min(0).max(23),
    /** Stay scaled down from Friday night to Monday morning. */
    weekends: z.boolean().default(true),
    /** IANA time zone of the hours (Auto Scaling evaluates the recurrences in it). */
    timeZone: z.string().regex(/^(UTC|[A-Z][A-Za-z_]+(\/[A-Za-z0-9_+-]+)+)$/, 'must be an IANA time zone such as Asia/Tokyo or UTC'),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.upAt >= s.downAt)
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['upAt'],
        message: `must be an earlier hour than downAt (${s.downAt}): the scaled-down night runs from downAt over midnight to upAt`,
      });
  });
export type ScaleDownSpec = z.output<typeof scaleDownSchema>;

/** The two recurrences (cron, in the spec's time zone) of the schedule. */
export function scaleDownRecurrences(s: ScaleDownSpec): { down: string; up: string } {
  // With weekends, Friday's scale-down lasts until Monday's scale-up: both run on weekdays only.
  const days = s.weekends ? 'MON-FRI' : '*';
  return { down: `0 ${s.downAt} * * ${days}`, up: `0 ${s.upAt} * * ${days}` };
}

/** Hours a week the group is scaled down: five (or seven) nights, plus the weekend. */
export function scaleDownHoursPerWeek(s: Pick<ScaleDownSpec, 'downAt' | 'upAt' | 'weekends'>): number {
  const night = 24 - s.downAt + s.upAt;
  return s.weekends ? 5 * night + 48 : 7 * night;
}

export const HOURS_PER_WEEK = 168;

/** Names of the two scheduled actions on the tenants group's Auto Scaling group (unique per group). */
export const SCALE_DOWN_ACTIONS = { down: 'tenantctl-night-scale-down', up: 'tenantctl-morning-scale-up' } as const;

/** Why a scale-down cannot work on the On-Demand tenants group of this minimum size, or undefined. */
export function scaleDownProblem(s: Pick<ScaleDownSpec, 'minSize'>, onDemandMinSize: number): string | undefined {
  return s.minSize >= onDemandMinSize
    ? `${s.minSize} does not lower the On-Demand tenants group's minimum (${onDemandMinSize}, after the Spot share): use a smaller scaleDown.minSize or raise eks.nodeGroups.tenants.minSize`
    : undefined;
}
