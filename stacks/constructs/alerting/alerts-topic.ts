import { SnsTopic } from '@cdktf/provider-aws/lib/sns-topic';
import { SnsTopicPolicy } from '@cdktf/provider-aws/lib/sns-topic-policy';
import { SnsTopicSubscription } from '@cdktf/provider-aws/lib/sns-topic-subscription';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { alertmanagerRoleArn, AWS_MANAGED_SNS_KEY } from '../../../src/model/alert-delivery';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import { policyDocument } from '../iam/documents';

export interface AlertsTopicProps {
  readonly platform: PlatformSpec;
  readonly name: string;
  /**
   * Address mailed every alert. SNS first mails a confirmation link: nothing is delivered until it is followed.
   * @default - no subscription
   */
  readonly email?: string;
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
      ]),
    });
    if (props.email) {
      new SnsTopicSubscription(this, 'email', { topicArn: this.topic.arn, protocol: 'email', endpoint: props.email });
    }
  }
}
