import { EcrLifecyclePolicy } from '@cdktf/provider-aws/lib/ecr-lifecycle-policy';
import { EcrRepository } from '@cdktf/provider-aws/lib/ecr-repository';
import { Construct } from 'constructs';
import { platformNames } from '../../../src/model/names';
import type { PlatformSpec } from '../../../src/model/platform-schema';

export interface ContainerRegistryProps {
  readonly platform: PlatformSpec;
  /** KMS key encrypting the images at rest. */
  readonly kmsKeyArn: string;
}

/** Days an untagged image (a superseded build) is kept. */
export const UNTAGGED_IMAGE_DAYS = 14;

/** The ECR lifecycle policy: drop untagged images after two weeks, keep the last `keepImages` tagged ones. */
export function lifecyclePolicy(keepImages: number) {
  return {
    rules: [
      {
        rulePriority: 1,
        description: `Expire untagged images after ${UNTAGGED_IMAGE_DAYS} days`,
        selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: UNTAGGED_IMAGE_DAYS },
        action: { type: 'expire' },
      },
      {
        rulePriority: 2,
        description: `Keep the last ${keepImages} tagged images`,
        selection: { tagStatus: 'tagged', tagPatternList: ['*'], countType: 'imageCountMoreThan', countNumber: keepImages },
        action: { type: 'expire' },
      },
    ],
  };
}

/**
 * One private ECR repository per platform service image: immutable tags (a tag always means the
 * same image, so deployments are reproducible), scanned on push, KMS-encrypted.
 */
export class ContainerRegistry extends Construct {
  /** Repository URL by repository name from `platform.ecr.repositories`. */
  readonly repositoryUrls: Record<string, string> = {};

  constructor(scope: Construct, id: string, props: ContainerRegistryProps) {
    super(scope, id);
    const names = platformNames(props.platform);
    const { repositories, keepImages } = props.platform.ecr;

    const policy = JSON.stringify(lifecyclePolicy(keepImages));
    for (const repo of repositories) {
      const repository = new EcrRepository(this, `repository-${repo}`, {
        name: names.ecrRepository(repo),
        imageTagMutability: 'IMMUTABLE',
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfiguration: [{ encryptionType: 'KMS', kmsKey: props.kmsKeyArn }],
        tags: { Name: names.ecrRepository(repo) },
      });
      new EcrLifecyclePolicy(this, `lifecycle-${repo}`, { repository: repository.name, policy });
      this.repositoryUrls[repo] = repository.repositoryUrl;
    }
  }
}
