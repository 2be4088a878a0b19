import { DEFAULT_EKS_VERSION, EKS_ADDON_VERSIONS, EKS_ADDONS, EKS_VERSIONS, eksAddonVersions } from '../../src/model/eks-versions';

describe('EKS add-on version table', () => {
  test('supports exactly the Kubernetes versions that have a row, the default among them', () => {
    expect(EKS_VERSIONS).toEqual(['1.31', '1.32', '1.33', '1.34', '1.35']);
    expect(EKS_VERSIONS).toContain(DEFAULT_EKS_VERSION);
  });

  test.each(EKS_VERSIONS)('pins every add-on for %s with an EKS build version', (version) => {
    const row = EKS_ADDON_VERSIONS[version];
    expect(Object.keys(row).sort()).toEqual([...EKS_ADDONS].sort());
    for (const build of Object.values(row)) expect(build).toMatch(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/);
  });

  test.each(EKS_VERSIONS)('pins a kube-proxy built for %s itself', (version) => {
    expect(eksAddonVersions(version)['kube-proxy']).toMatch(new RegExp(`^v${version.replace('.', '\\.')}\\.\\d+-eksbuild\\.\\d+$`));
  });

  test('rejects a version without a row', () => {
    expect(() => eksAddonVersions('1.29')).toThrow('EKS version 1.29 has no pinned add-on versions: use one of 1.31, 1.32, 1.33, 1.34, 1.35');
  });
});
