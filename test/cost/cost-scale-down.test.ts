import { platformSchema, type PlatformConfig } from '../../src/model/platform-schema';
import { SCALE_DOWN_ACTIONS, scaleDownHoursPerWeek, scaleDownRecurrences } from '../../src/model/scale-down';
import { platformConfig, SynthJson } from '../util';
import { synthPlatformStack } from './fixtures';

const tenants = (scaleDown: object, size = { minSize: 4, desiredSize: 6, maxSize: 12 }) =>
  ({ eks: { nodeGroups: { tenants: { instanceTypes: ['m6i.xlarge'], ...size, scaleDown } } } }) as Partial<PlatformConfig>;
const NIGHTS = { minSize: 1, downAt: 20, upAt: 8, weekends: true, timeZone: 'Asia/Tokyo' };

describe('GIVEN eks.nodeGroups.tenants.scaleDown', () => {
  describe('WHEN the platform stack is synthesized', () => {
    const json = new SynthJson(synthPlatformStack(tenants(NIGHTS)).json);
    const tenantsGroup = json.idOf('aws_eks_node_group', (g) => g.node_group_name === 'tenants');
    const asg = `\${aws_eks_node_group.${tenantsGroup}.resources[0].autoscaling_groups[0].name}`;

    test("THEN two scheduled actions on the tenants group's Auto Scaling group move only its minimum, in the given time zone", () => {
      const actions = Object.values(json.resources('aws_autoscaling_schedule'));
      expect(actions).toEqual([
        expect.objectContaining({
          autoscaling_group_name: asg,
          scheduled_action_name: SCALE_DOWN_ACTIONS.down,
          recurrence: '0 20 * * MON-FRI',
          time_zone: 'Asia/Tokyo',
          min_size: 1,
          max_size: -1,
          desired_capacity: -1,
        }),
        expect.objectContaining({
          autoscaling_group_name: asg,
          scheduled_action_name: SCALE_DOWN_ACTIONS.up,
          recurrence: '0 8 * * MON-FRI',
          time_zone: 'Asia/Tokyo',
          min_size: 4,
          max_size: -1,
          desired_capacity: -1,
        }),
      ]);
    });

    test('THEN the node group itself keeps its bounds and leaves the desired size to Cluster Autoscaler', () => {
      const group = json.resources('aws_eks_node_group')[tenantsGroup];
      expect(group.scaling_config).toEqual({ min_size: 4, desired_size: 6, max_size: 12 });
      expect(group.lifecycle.ignore_changes).toEqual(['scaling_config[0].desired_size']);
    });
  });

  test('WHEN Spot takes a share THEN the morning restores the On-Demand group’s own minimum', () => {
    const config = tenants(NIGHTS) as any;
    config.eks.nodeGroups.tenants.spot = { share: 0.5, instanceTypes: ['m6i.xlarge', 'm7i.xlarge'] };
    const json = new SynthJson(synthPlatformStack(config).json);
    const up = json.where('aws_autoscaling_schedule', (a) => a.scheduled_action_name === SCALE_DOWN_ACTIONS.up);
    expect(up.map((a) => a.min_size)).toEqual([2]);
  });

  test('WHEN the schedule is absent THEN no scheduled action is created', () => {
    expect(synthPlatformStack().json.resource?.aws_autoscaling_schedule).toBeUndefined();
  });

  test('WHEN nights are weekdays only THEN the recurrences run daily and a week has seven nights', () => {
    expect(scaleDownRecurrences({ ...NIGHTS, weekends: false })).toEqual({ down: '0 20 * * *', up: '0 8 * * *' });
    expect(scaleDownHoursPerWeek({ downAt: 20, upAt: 8, weekends: false })).toBe(84);
    expect(scaleDownHoursPerWeek({ downAt: 20, upAt: 8, weekends: true })).toBe(5 * 12 + 48);
  });

  test.each([
    [{ ...NIGHTS, upAt: 21 }, 'eks.nodeGroups.tenants.scaleDown.upAt', 'must be an earlier hour than downAt (20)'],
    [{ ...NIGHTS, minSize: 4 }, 'eks.nodeGroups.tenants.scaleDown.minSize', "does not lower the On-Demand tenants group's minimum (4"],
    [{ ...NIGHTS, timeZone: 'Tokyo time' }, 'eks.nodeGroups.tenants.scaleDown.timeZone', 'must be an IANA time zone'],
    [{ ...NIGHTS, at: 3 }, 'eks.nodeGroups.tenants.scaleDown', 'Unrecognized key'],
  ])('WHEN the schedule is %j THEN platform.json is refused at the field', (scaleDown, field, message) => {
    const result = platformSchema.safeParse(platformConfig(tenants(scaleDown)));
    expect(result.success).toBe(false);
    const issues = result.success ? [] : result.error.issues.map((i) => [i.path.join('.'), i.message]);
    expect(issues).toEqual([[field, expect.stringContaining(message)]]);
  });
});
