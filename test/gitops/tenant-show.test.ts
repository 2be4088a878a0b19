import * as fs from 'fs';
import * as path from 'path';
import { tenantctl } from '../cli/helpers';
import { tempDir } from '../util';
import { exampleCatalog } from './fixtures';

describe('GIVEN a project with the example catalog and a tenant that pins one service', () => {
  const dir = tempDir();
  tenantctl(['init', 'platform', '--yes', '--account-id', '111122223333', '--no-synth', '--dir', dir]);
  const file = path.join(dir, 'platform.json');
  fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(fs.readFileSync(file, 'utf8')), ...exampleCatalog }, null, 2));
  tenantctl(['tenant', 'add', 'acme', '--tier', 'standard', '--yes', '--no-synth', '--dir', dir]);
  const tenantFile = path.join(dir, 'tenants', 'acme.json');
  fs.writeFileSync(tenantFile, JSON.stringify({ ...JSON.parse(fs.readFileSync(tenantFile, 'utf8')), services: { task: { tag: '0.9.3' } } }, null, 2));

  test('THEN tenant show lists its services with their versions, pins, replica bounds and git paths', () => {
    const shown = tenantctl(['tenant', 'show', 'acme', '--dir', dir]).stdout;
    expect(shown).toContain(
      [
        'services     project 1.0.0, 2-4 replicas, tenants/acme/project',
        '             task 0.9.3 (pinned), 2-4 replicas, tenants/acme/task',
        '             user 1.0.0, 2-4 replicas, tenants/acme/user',
      ].join('\n'),
    );
    const json = JSON.parse(tenantctl(['tenant', 'show', 'acme', '--output', 'json', '--dir', dir]).stdout);
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

  test('THEN a tenant file that pins an unknown service is refused with its field', () => {
    fs.writeFileSync(
      tenantFile,
      JSON.stringify({ ...JSON.parse(fs.readFileSync(tenantFile, 'utf8')), services: { billing: { tag: '1.0.0' } } }, null, 2),
    );
    expect(tenantctl(['tenant', 'show', 'acme', '--dir', dir]).stderr).toContain(
      'services.billing: is not a catalog service: use one of project, task, user',
    );
  });
});
