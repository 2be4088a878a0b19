import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { Wafv2WebAcl, type Wafv2WebAclRule } from '@cdktf/provider-aws/lib/wafv2-web-acl';
import { Wafv2WebAclAssociation } from '@cdktf/provider-aws/lib/wafv2-web-acl-association';
import { Wafv2WebAclLoggingConfiguration } from '@cdktf/provider-aws/lib/wafv2-web-acl-logging-configuration';
import { Construct } from 'constructs';

export interface WebAclProps {
  readonly name: string;
  /** Must start with `aws-waf-logs-` (a WAF requirement). */
  readonly logGroupName: string;
  readonly logRetentionDays: number;
  readonly logsKmsKeyArn: string;
  /** Requests per client IP per 5 minutes before the IP is blocked. */
  readonly rateLimitPerIp: number;
  /** The load balancer the ACL protects. */
  readonly resourceArn: string;
}

/** AWS managed rule groups, in evaluation order (cheapest, most decisive first). */
export const MANAGED_RULE_GROUPS = [
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesSQLiRuleSet',
] as const;

/** Headers that carry credentials: kept out of the WAF logs. */
export const REDACTED_HEADERS = ['authorization', 'cookie'] as const;

const RATE_LIMIT_RULE = 'rate-limit-per-ip';

function visibility(metricName: string) {
  return { cloudwatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true };
}

/** Regional WAFv2 web ACL on the ALB: managed rule groups, a per-IP rate limit, redacted logs. */
export class WebAcl extends Construct {
  readonly acl: Wafv2WebAcl;

  constructor(scope: Construct, id: string, props: WebAclProps) {
    super(scope, id);
    // `statement` is untyped in the provider bindings, so it is written in Terraform's snake_case.
    const rules: Wafv2WebAclRule[] = [
      {
        name: RATE_LIMIT_RULE,
        priority: 0,
        action: { block: {} },
        statement: { rate_based_statement: { limit: props.rateLimitPerIp, aggregate_key_type: 'IP', evaluation_window_sec: 300 } },
        visibilityConfig: visibility(RATE_LIMIT_RULE),
      },
      ...MANAGED_RULE_GROUPS.map((group, i) => ({
        name: group,
        priority: i + 1,
        overrideAction: { none: {} },
        statement: { managed_rule_group_statement: { name: group, vendor_name: 'AWS' } },
        visibilityConfig: visibility(group),
      })),
    ];
    this.acl = new Wafv2WebAcl(this, 'acl', {
      name: props.name,
      description: 'Edge protection for the tenant ALB',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      rule: rules,
      visibilityConfig: visibility(props.name),
      tags: { Name: props.name },
    });

    const logGroup = new CloudwatchLogGroup(this, 'log-group', {
      name: props.logGroupName,
      kmsKeyId: props.logsKmsKeyArn,
      retentionInDays: props.logRetentionDays,
    });
    new Wafv2WebAclLoggingConfiguration(this, 'logging', {
      resourceArn: this.acl.arn,
      logDestinationConfigs: [logGroup.arn],
      redactedFields: REDACTED_HEADERS.map((name) => ({ singleHeader: { name } })),
    });
    new Wafv2WebAclAssociation(this, 'association', { resourceArn: props.resourceArn, webAclArn: this.acl.arn });
  }
}
