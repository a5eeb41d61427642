// Phase: MinIO, as soon as db's own files and image are there. Its credential files must exist and be non-empty before it starts (MinIO
// silently falls back to minioadmin otherwise); once healthy, the buckets of Pyroscope and Tempo
// are created idempotently with the credentials passed in the exec's environment, never in argv,
// which also proves the credentials work.

import { HealError } from '../../core/errors.js';
import { RENDER_DEFAULTS } from '../../render/context.js';
import { MINIO_PASSWORD_TARGET, MINIO_USER_TARGET } from '../../render/minio.js';
import { applyContainer } from './containers.js';
import type { Host } from '../../hosts/host.js';
import { specOf, type PlannedInstall } from './context.js';
import type { Phase } from '../../runner/phase.js';
import { remotePath } from '../../plan/plan.js';
import type { InstallState } from '../../state/state-file.js';

const ALIAS = 'heal';

/** `MC_HOST_heal=http://KEY:SECRET@127.0.0.1:9000`: mc reads the alias from its environment. */
export function mcHostEnv(secrets: InstallState['secrets']): string {
  return `MC_HOST_${ALIAS}=http://${encodeURIComponent(secrets.minioAccessKey)}:${encodeURIComponent(secrets.minioSecretKey)}@127.0.0.1:9000`;
}

async function checkSecretFiles(ctx: PlannedInstall, host: Host): Promise<void> {
  const secrets = ctx.planned.stack.files.filter(
    (f) => f.component === 'minio' && (f.mountTarget === MINIO_USER_TARGET || f.mountTarget === MINIO_PASSWORD_TARGET),
  );
  for (const file of secrets) {
    const result = await host.remote.exec(['test', '-s', remotePath(file)]);
    if (result.code !== 0) {
      throw new HealError({
        code: 'install.minio-secret',
        message:
          `${remotePath(file)} is missing or empty on ${host.name}: MinIO would start with its ` +
          `default credentials`,
        hint: 'run install again; if it repeats, check free space and permissions under /opt/heal-pyroscope',
      });
    }
  }
}

export const storagePhase: Phase<PlannedInstall> = {
  id: 'storage',
  title: 'Storage (MinIO and buckets)',
  // Its files, and then only its own machine's images: it runs while the app host still pulls.
  after: ['configuration', 'network'],
  async run(ctx, io) {
    const host = ctx.hosts.forTier('db');
    const spec = specOf(ctx.planned, (s) => s.component === 'minio', 'minio');
    await checkSecretFiles(ctx, host);
    await ctx.imagesReady.wait(host.name);
    const outcome = await applyContainer(ctx, spec, io);
    ctx.report.outcomes.push(outcome);
    const buckets = [RENDER_DEFAULTS.buckets.pyroscope, RENDER_DEFAULTS.buckets.tempo];
    const names = buckets.map((b) => `${ALIAS}/${b}`);
    const made = await host.remote.engine.execInContainer(spec.name, ['mc', 'mb', '--ignore-existing', ...names], {
      env: [mcHostEnv(ctx.planned.state.current.secrets)],
    });
    if (made.code !== 0) {
      throw new HealError({
        code: 'install.buckets',
        message:
          `creating the buckets in MinIO on ${host.name} failed: ` +
          `${made.output.trim().split('\n').pop() ?? `exit ${made.code}`}`,
        hint:
          'if it says the access key does not exist, MinIO did not read its credential files: check them ' +
          'under /opt/heal-pyroscope/db/minio',
      });
    }
    return `${spec.name} ${outcome.action}, buckets ${buckets.join(' and ')} ready`;
  },
  dryRun: (ctx) => [
    ...ctx.planned.plan.tiers
      .filter((t) => t.tier === 'db')
      .flatMap((t) =>
        t.containers.map((c) => `${t.machine}: ${c.action} ${c.name}${c.reason ? ` (${c.reason})` : ''}`),
      ),
    'create the buckets pyroscope and tempo if missing',
  ],
};
