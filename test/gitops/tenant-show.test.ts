import * as fs from 'fs';
import * as path from 'path';
import { cli, fixtureProject } from '../cli/helpers';
import { exampleCatalog } from './fixtures';

describe('GIVEN a project with the example catalog and a tenant that pins one service', () => {
  const dir = fixtureProject('configOnly');
  const file = path.join(dir, 'platform.json');
  const tenantFile = path.join(dir, 'tenants', 'acme.json');
  beforeAll(async () => {
    fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), ...exampleCatalog }, null, 2));
    const added = await cli(['tenant', 'add', 'acme', '--tier', 'standard', '--yes', '--no-synth', '--dir', dir]);
    expect({ status: added.status, stderr: added.stderr }).toEqual({ status: 0, stderr: '' });
    const tenant = JSON.parse(fs.readFileSync(tenantFile, 'utf8'));
    fs.writeFileSync(tenantFile, JSON.stringify({ ...tenant, services: { task: { tag: '0.9.3' } } }, null, 2));
  });

  test('THEN tenant show lists its services with their versions, pins, replica bounds and git paths', async () => {
    const shown = (await cli(['tenant', 'show', 'acme', '--dir', dir])).stdout;
    expect(shown).toContain(
      [
        'services     project 1.0.0, 2-4 replicas, tenants/acme/project',
        '             task 0.9.3 (pinned), 2-4 replicas, tenants/acme/task',
        '             user 1.0.0, 2-4 replicas, tenants/acme/user',
      ].join('\n'),
    );
    const json = JSON.parse((await cli(['tenant', 'show', 'acme', '--output', 'json', '--dir', dir])).stdout);
    expect(json.services[1]).toEqual({
      name: 'task',
      image: '111122223333.dkr.ecr.us-east-1.amazonaws.com/saas-prod/task-service:0.9.3',
      version: '0.9.3',
      pinned: true,
      replicas: { min: 2, max: 4 },
      application: 'tenant-acme--task',
      path: 'tenants/acme/task',
    });
  });

  test('THEN a tenant file that pins an unknown service is refused with its field', async () => {
    fs.writeFileSync(
      tenantFile,
      JSON.stringify({ ...JSON.parse(fs.readFileSync(tenantFile, 'utf8')), services: { billing: { tag: '1.0.0' } } }, null, 2),
    );
    expect((await cli(['tenant', 'show', 'acme', '--dir', dir])).stderr).toContain(
      'services.billing: is not a catalog service: use one of project, task, user',
    );
  });
});
