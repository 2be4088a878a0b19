import { z } from 'zod';

/** An IAM role or user ARN: what EKS access entries and trust policies name. */
export const IAM_PRINCIPAL_ARN = /^arn:aws[a-z-]*:iam::\d{12}:(role|user)\/[\w+=,.@/-]+$/;
/** The ARN STS gives a role session (`aws sts get-caller-identity` prints it): not a principal EKS accepts. */
const ASSUMED_ROLE_ARN = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([\w+=,.@-]+)\/[\w+=,.@-]+$/;

/** What is wrong with an IAM principal ARN, with the fix; undefined when it is fine. */
export function iamPrincipalArnProblem(arn: string): string | undefined {
  const session = ASSUMED_ROLE_ARN.exec(arn);
  if (session) {
    const [, partition, account, role] = session;
    return `is an assumed-role session: EKS access entries need the role itself, e.g. arn:${partition}:iam::${account}:role/${role}`;
  }
  return IAM_PRINCIPAL_ARN.test(arn) ? undefined : 'must be an IAM role or user ARN';
}

export const iamPrincipalArn = z.string().superRefine((arn, ctx) => {
  const problem = iamPrincipalArnProblem(arn);
  if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
});
