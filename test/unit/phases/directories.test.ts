import { describe, expect, it } from 'vitest';
import { directoriesToCreate, removalOrder, withAncestors } from '../../../src/phases/install/directories.js';

const dirs = [
  '/opt/heal-pyroscope/app/pyroscope',
  '/opt/heal-pyroscope/app/grafana/provisioning/datasources',
  '/opt/heal-pyroscope/app/grafana',
];

describe('directories an install creates', () => {
  it('needs every ancestor of the configuration directories, parents first', () => {
    expect(withAncestors(dirs)).toEqual([
      '/opt',
      '/opt/heal-pyroscope',
      '/opt/heal-pyroscope/app',
      '/opt/heal-pyroscope/app/grafana',
      '/opt/heal-pyroscope/app/pyroscope',
      '/opt/heal-pyroscope/app/grafana/provisioning',
      '/opt/heal-pyroscope/app/grafana/provisioning/datasources',
    ]);
  });

  it('creates /opt/heal-pyroscope and everything under it on a fresh host that has /opt', () => {
    const created = directoriesToCreate(dirs, new Set(['/opt']));
    expect(created[0]).toBe('/opt/heal-pyroscope');
    expect(created).not.toContain('/opt');
    expect(created).toHaveLength(6);
  });

  it('creates /opt too when the host lacks it, so a rollback removes it as well', () => {
    expect(directoriesToCreate(['/opt/heal-pyroscope/db/minio'], new Set())).toEqual([
      '/opt',
      '/opt/heal-pyroscope',
      '/opt/heal-pyroscope/db',
      '/opt/heal-pyroscope/db/minio',
    ]);
  });

  it('creates only the tier directory when another tier already made /opt/heal-pyroscope', () => {
    expect(directoriesToCreate(['/opt/heal-pyroscope/web/haproxy'], new Set(['/opt', '/opt/heal-pyroscope']))).toEqual([
      '/opt/heal-pyroscope/web',
      '/opt/heal-pyroscope/web/haproxy',
    ]);
  });

  it('creates nothing, and so journals nothing, when every directory exists', () => {
    expect(directoriesToCreate(dirs, new Set(withAncestors(dirs)))).toEqual([]);
  });

  it('treats a trailing slash or a doubled one as the same directory', () => {
    expect(withAncestors(['/opt//heal-pyroscope/web/'])).toEqual([
      '/opt',
      '/opt/heal-pyroscope',
      '/opt/heal-pyroscope/web',
    ]);
  });

  it('removes what it created deepest first, so each directory is empty when its turn comes', () => {
    const order = removalOrder(directoriesToCreate(dirs, new Set(['/opt'])));
    expect(order[0]).toBe('/opt/heal-pyroscope/app/grafana/provisioning/datasources');
    expect(order.at(-1)).toBe('/opt/heal-pyroscope');
    for (const [i, dir] of order.entries()) {
      for (const later of order.slice(i + 1))
        expect(later.startsWith(`${dir}/`), `${later} after its parent ${dir}`).toBe(false);
    }
  });
});
