import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { alertmanagerRoleArn, AWS_MANAGED_SNS_KEY } from '../../../src/model/alert-delivery';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import { policyDocument } from '../iam/documents';

export interface AlertsTopicProps {
  readonly platform: PlatformSpec;
  readonly name: string;
  /**
   * IAM principal (the tenant team's) the topic policy lets subscribe, e.g. its mail address:
   * subscriptions are theirs to make and confirm, never the pipeline's (SNS authorizes changing or
   * deleting a subscription on no resource, so a run role that could would reach every tenant's).
   * @default - only principals of the account whose own policies allow sns:Subscribe
   */
  readonly subscriber?: string;
  /**
   * What the topic policy waits for (Alertmanager's role, when created in the same stack: SNS refuses a policy naming a missing role).
   * @default - none
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * An SNS topic Alertmanager publishes alerts to: encrypted with the AWS managed SNS key (a
 * customer managed key would need one key per tenant, or one key policy growing with every
 * tenant), and a topic policy that lets Alertmanager's role publish and no one else.
 * Subscriptions need a confirmation (SNS mails a link first) and are made by their owners.
 */
export class AlertsTopic extends Construct {
  readonly topic: SnsTopic;
  readonly arn: string;

  constructor(scope: Construct, id: string, props: AlertsTopicProps) {
    super(scope, id);
    this.topic = new SnsTopic(this, 'topic', { name: props.name, kmsMasterKeyId: AWS_MANAGED_SNS_KEY });
    this.arn = this.topic.arn;
    new SnsTopicPolicy(this, 'policy', {
      arn: this.topic.arn,
      dependsOn: props.dependsOn,
      policy: policyDocument([
        {
          Sid: 'AlertmanagerPublishes',
          Effect: 'Allow',
          Principal: { AWS: alertmanagerRoleArn(props.platform) },
          Action: 'sns:Publish',
          Resource: this.topic.arn,
        },
        ...(props.subscriber
          ? [
              {
                Sid: 'TeamSubscribes',
                Effect: 'Allow' as const,
                Principal: { AWS: props.subscriber },
                Action: 'sns:Subscribe',
                Resource: this.topic.arn,
              },
            ]
          : []),
      ]),
    });
  }
}
