import { AutoscalingSchedule } from '@cdktf/provider-aws/lib/autoscaling-schedule';
import type { EksNodeGroup } from '@cdktf/provider-aws/lib/eks-node-group';
import { Construct } from 'constructs';
import { SCALE_DOWN_ACTIONS, scaleDownRecurrences, type ScaleDownSpec } from '../../../src/model/scale-down';

export interface ScheduledScaleDownProps {
  /** The managed node group whose Auto Scaling group is scaled. */
  readonly nodeGroup: EksNodeGroup;
  /** The group's own minimum, restored every morning. */
  readonly dayMinSize: number;
  readonly schedule: ScaleDownSpec;
}

/** Auto Scaling's "leave this bound as it is" in a scheduled action (the provider sends 0 when a bound is left out). */
const UNCHANGED = -1;

/**
 * Nights (and weekends) with fewer shared tenant nodes: two recurring scheduled actions on the
 * node group's Auto Scaling group lower its minimum to `schedule.minSize` and restore it in the
 * morning. Only the minimum moves, never the desired size: Cluster Autoscaler owns that, and
 * drains and removes the nodes it finds idle (honouring PodDisruptionBudgets and its
 * scale-down delay), where an Auto Scaling desired-size change would terminate nodes with their
 * Pods on them. In the morning Auto Scaling raises the group back to its minimum by itself.
 */
export class ScheduledScaleDown extends Construct {
  constructor(scope: Construct, id: string, props: ScheduledScaleDownProps) {
    super(scope, id);
    const asgName = props.nodeGroup.resources.get(0).autoscalingGroups.get(0).name;
    const recurrence = scaleDownRecurrences(props.schedule);
    const action = (key: 'down' | 'up', minSize: number) =>
      new AutoscalingSchedule(this, key, {
        autoscalingGroupName: asgName,
        scheduledActionName: SCALE_DOWN_ACTIONS[key],
        recurrence: recurrence[key],
        timeZone: props.schedule.timeZone,
        minSize,
        maxSize: UNCHANGED,
        desiredCapacity: UNCHANGED,
      });
    action('down', props.schedule.minSize);
    action('up', props.dayMinSize);
  }
}
