/**
 * IAM document pieces every stack writes: the trust of a role an AWS service assumes, and the
 * ARN of an AWS managed policy. One place, so partitions and document versions cannot drift.
 */

/** Trust policy of a role that `service` (e.g. `ec2.amazonaws.com`) assumes, optionally limited by a condition. */
export function servicePrincipalTrust(service: string, condition?: Record<string, Record<string, string>>) {
  return {
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: 'sts:AssumeRole', ...(condition ? { Condition: condition } : {}) }],
  };
}

/** ARN of an AWS managed policy (`service-role/...` paths included) in a partition. */
export function awsManagedPolicyArn(partition: string, name: string): string {
  return `arn:${partition}:iam::aws:policy/${name}`;
}
