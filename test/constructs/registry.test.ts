import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Testing, TerraformOutput, TerraformStack } from 'cdktf';
import { ContainerRegistry } from '../../stacks/constructs/registry/container-registry';
import type { PlatformConfig } from '../../src/model/platform-schema';
import { platformSpec, SynthJson } from '../util';

const ECR_KEY = 'arn:aws:kms:eu-west-1:111122223333:key/ecr';

function synth(overrides: Partial<PlatformConfig> = {}) {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'test');
  new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
  const registry = new ContainerRegistry(stack, 'registry', { platform: platformSpec(overrides), kmsKeyArn: ECR_KEY });
  new TerraformOutput(stack, 'urls', { value: registry.repositoryUrls });
  return { registry, json: SynthJson.parse(Testing.synth(stack)) };
}

describe('ContainerRegistry: repositories', () => {
  const { json } = synth();
  const repos = Object.values(json.resources('aws_ecr_repository'));
  const idOf = (name: string) => json.idOf('aws_ecr_repository', (r) => r.name === name);

  test('one repository per configured service, named under the platform and environment', () => {
    expect(repos.map((r) => r.name).sort()).toEqual([
      'acme-prod/api-gateway',
      'acme-prod/project-service',
      'acme-prod/task-service',
      'acme-prod/user-service',
    ]);
  });

  test('another environment of the same platform gets repositories of its own', () => {
    const staging = synth({ environment: 'staging' }).json;
    expect(Object.values(staging.resources('aws_ecr_repository')).map((r) => r.name)).toContain('acme-staging/api-gateway');
  });

  test('every repository has immutable tags, scan on push and KMS encryption', () => {
    for (const repo of repos) {
      expect(repo).toMatchObject({
        image_tag_mutability: 'IMMUTABLE',
        image_scanning_configuration: { scan_on_push: true },
        encryption_configuration: [{ encryption_type: 'KMS', kms_key: ECR_KEY }],
      });
      expect(repo.force_delete).toBeUndefined();
    }
  });

  test('exposes each repository URL by service name', () => {
    expect(json.json.output.urls.value).toEqual({
      'api-gateway': `\${aws_ecr_repository.${idOf('acme-prod/api-gateway')}.repository_url}`,
      'project-service': `\${aws_ecr_repository.${idOf('acme-prod/project-service')}.repository_url}`,
      'task-service': `\${aws_ecr_repository.${idOf('acme-prod/task-service')}.repository_url}`,
      'user-service': `\${aws_ecr_repository.${idOf('acme-prod/user-service')}.repository_url}`,
    });
  });
});

describe('ContainerRegistry: lifecycle policies', () => {
  const { json } = synth({ ecr: { repositories: ['api', 'worker'], keepImages: 30 } });
  const policies = Object.values(json.resources('aws_ecr_lifecycle_policy'));

  test('one policy per repository', () => {
    const repoNames = Object.keys(json.resources('aws_ecr_repository')).map((id) => `\${aws_ecr_repository.${id}.name}`);
    expect(policies.map((p) => p.repository).sort()).toEqual(repoNames.sort());
  });

  test('expires untagged images after 14 days and keeps the last keepImages tagged ones', () => {
    for (const policy of policies) {
      expect(JSON.parse(policy.policy).rules).toEqual([
        {
          rulePriority: 1,
          description: expect.any(String),
          selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 },
          action: { type: 'expire' },
        },
        {
          rulePriority: 2,
          description: expect.any(String),
          selection: { tagStatus: 'tagged', tagPatternList: ['*'], countType: 'imageCountMoreThan', countNumber: 30 },
          action: { type: 'expire' },
        },
      ]);
    }
  });
});
