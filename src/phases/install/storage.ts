// Phase: MinIO, as soon as db's own files and image are there. Its credential files must exist and
// be non-empty before it starts (MinIO silently falls back to minioadmin otherwise); once healthy,
// the buckets of Pyroscope and Tempo are created idempotently by `mc` inside the container, which
// also proves the credentials work. The credentials never leave the container's own files: a shell
// there reads them with its `read` builtin and writes them into a private mc config directory,
// removed when mc ends; they are in no exec environment and no argument (a dockerd in debug mode
// logs both).

import { HealError } from '../../core/errors.js';
import { RENDER_DEFAULTS } from '../../render/context.js';
import { MINIO_PASSWORD_TARGET, MINIO_USER_TARGET } from '../../render/minio.js';
import { applyContainer } from './containers.js';
import type { Host } from '../../hosts/host.js';
import { specOf, type PlannedInstall } from './context.js';
import type { Phase } from '../../runner/phase.js';
import { remotePath } from '../../plan/plan.js';

const ALIAS = 'heal';

/**
 * `sh -c MC_SCRIPT sh USER_FILE PASSWORD_FILE ALIAS TARGET...`: the alias written into a 0700
 * directory of mc's own (`--config-dir`, config version 10), from the files MinIO itself reads; only
 * builtins (`read`, `printf`) touch the credentials. Generated credentials are letters, digits and
 * `-_`; {@link mcSafe} refuses any (from an edited state file) that would need JSON escaping.
 */
export const MC_SCRIPT = [
  'set -eu',
  'd=/tmp/heal-pyroscope-mc.$$',
  'umask 077',
  'rm -rf "$d"',
  'mkdir -m 700 "$d"',
  'trap \'rm -rf "$d"\' EXIT',
  'u=; IFS= read -r u <"$1" || [ -n "$u" ]',
  'p=; IFS= read -r p <"$2" || [ -n "$p" ]',
  'alias=$3',
  'shift 3',
  'printf \'{"version":"10","aliases":{"%s":{"url":"http://127.0.0.1:9000","accessKey":"%s","secretKey":"%s","api":"s3v4","path":"auto"}}}\\n\' "$alias" "$u" "$p" >"$d/config.json"',
  'mc --config-dir "$d" "$@"',
].join('\n');

/** A credential the script can write into JSON as it is: one line, no quote, no backslash. */
export function mcSafe(value: string): boolean {
  return /^[^"\\\n\r]+$/.test(value);
}

/** The exec that runs `mc ARGS...` against this container's MinIO as `heal/`. */
export function mcCommand(args: readonly string[]): string[] {
  return ['sh', '-c', MC_SCRIPT, 'sh', MINIO_USER_TARGET, MINIO_PASSWORD_TARGET, ALIAS, ...args];
}

async function checkSecretFiles(ctx: PlannedInstall, host: Host): Promise<void> {
  const secrets = ctx.planned.stack.files.filter(
    (f) => f.component === 'minio' && (f.mountTarget === MINIO_USER_TARGET || f.mountTarget === MINIO_PASSWORD_TARGET),
  );
  for (const file of secrets) {
    const result = await host.remote.root.exec(['test', '-s', remotePath(file)]);
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
    const { minioAccessKey, minioSecretKey } = ctx.planned.state.current.secrets;
    if (!mcSafe(minioAccessKey) || !mcSafe(minioSecretKey)) {
      throw new HealError({
        code: 'install.minio-secret',
        message:
          "the MinIO credentials in the state file hold a quote, a backslash or a line break: mc's config cannot carry them",
        hint: 'restore the state file from a backup, or move it away so install generates new credentials',
      });
    }
    await ctx.imagesReady.wait(host.name);
    const outcome = await applyContainer(ctx, spec, io);
    ctx.report.outcomes.push(outcome);
    const buckets = [RENDER_DEFAULTS.buckets.pyroscope, RENDER_DEFAULTS.buckets.tempo];
    const names = buckets.map((b) => `${ALIAS}/${b}`);
    const made = await host.remote.engine.execInContainer(spec.name, mcCommand(['mb', '--ignore-existing', ...names]));
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
