// The shape of heal-pyroscope.yaml, as a zod schema: strict (unknown keys are errors) so that a typo
// never silently falls back to a default on a real host. Each value is checked by its setting's
// kind from the settings table (src/config/settings.ts); the nesting below is written out so that
// zod infers the ConfigFile type, and test/unit/config/settings.test.ts fails when it and the table
// name different keys. The long form of a host entry is written out here too: its fields are
// per-host overrides of table settings (they reuse those settings' kinds), not settings of their own;
// so is the long form of a jump host.
import { z } from 'zod';
import type { Setting } from './setting.js';
import { SETTINGS } from './settings.js';
import { HOST, type ValueKind } from './values.js';

/** A zod schema for one value of a kind: the YAML type, then the kind's own rule and sentence. */
function kind<T>(k: ValueKind<T>): z.ZodType<T> {
  const base = (k.type === 'number'
    ? z.number()
    : k.type === 'boolean'
      ? z.boolean()
      : z.string()) as unknown as z.ZodType<T>;
  return base.superRefine((value, ctx) => {
    const problem = k.problem(value);
    if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
  });
}

/** The optional value of a setting in the file: one value, a list, or one per component. */
function one<T>(s: Setting<T, T>) {
  return kind(s.value).optional();
}
function list<L>(s: Setting<L[], L>) {
  return z.array(kind(s.value)).optional();
}
function perComponent<L>(s: Setting<Partial<Record<string, L>>, L>) {
  const value = kind(s.value).optional();
  return z.strictObject({ minio: value, pyroscope: value, tempo: value, grafana: value, haproxy: value }).optional();
}

export const hostName = kind(HOST);

/** `ssh.jumpHost`: ProxyJump syntax, or a bastion with its own user, port and key. */
export const jumpHost = z
  .union([
    kind(SETTINGS.jumpHost.value),
    z.strictObject({
      host: hostName,
      user: one(SETTINGS.sshUser),
      port: one(SETTINGS.sshPort),
      identityFile: one(SETTINGS.identityFile),
    }),
  ])
  .optional();

export const hostEntry = z.union([
  hostName,
  z.strictObject({
    host: hostName,
    name: z.string().min(1).max(64).optional(),
    user: one(SETTINGS.sshUser),
    port: one(SETTINGS.sshPort),
    identityFile: one(SETTINGS.identityFile),
    jumpHost,
    dockerSocket: one(SETTINGS.dockerSocket),
  }),
]);

export const configFile = z
  .strictObject({
    environment: one(SETTINGS.environment),
    ssh: z
      .strictObject({
        user: one(SETTINGS.sshUser),
        port: one(SETTINGS.sshPort),
        identityFile: one(SETTINGS.identityFile),
        agent: one(SETTINGS.agent),
        knownHostsFile: one(SETTINGS.knownHostsFile),
        configFile: one(SETTINGS.sshConfigFile),
        jumpHost,
      })
      .optional(),
    hosts: z
      .strictObject({
        targets: z.array(hostEntry).optional(),
        web: hostEntry.optional(),
        app: hostEntry.optional(),
        db: hostEntry.optional(),
      })
      .optional(),
    docker: z.strictObject({ socket: one(SETTINGS.dockerSocket) }).optional(),
    registry: z.strictObject({ prefix: one(SETTINGS.registryPrefix) }).optional(),
    images: perComponent(SETTINGS.images),
    containers: z
      .strictObject({
        logs: z.strictObject({ maxSize: one(SETTINGS.logMaxSize), maxFiles: one(SETTINGS.logMaxFiles) }).optional(),
        memoryLimits: perComponent(SETTINGS.memoryLimits),
      })
      .optional(),
    retention: z
      .strictObject({ profiles: one(SETTINGS.retentionProfiles), traces: one(SETTINGS.retentionTraces) })
      .optional(),
    flows: z.strictObject({ restrict: one(SETTINGS.restrictFlows) }).optional(),
    frontDoor: z
      .strictObject({
        allowFrom: list(SETTINGS.frontDoorAllowFrom),
        tls: one(SETTINGS.frontDoorTls),
        auth: one(SETTINGS.frontDoorAuth),
        otlpHttp: one(SETTINGS.frontDoorOtlpHttp),
        names: list(SETTINGS.frontDoorNames),
        certificate: one(SETTINGS.frontDoorCertificate),
        key: one(SETTINGS.frontDoorKey),
        ca: one(SETTINGS.frontDoorCa),
      })
      .superRefine((value, ctx) => {
        const files = (['certificate', 'key', 'ca'] as const).filter((k) => value[k] !== undefined);
        if (value.tls === 'files') {
          for (const k of ['certificate', 'key', 'ca'] as const)
            if (value[k] === undefined)
              ctx.addIssue({ code: 'custom', path: [k], message: 'is required with `frontDoor.tls: files`' });
        } else {
          for (const k of files)
            ctx.addIssue({
              code: 'custom',
              path: [k],
              message: 'names a file for the door, but `frontDoor.tls` is not `files`: set it, or drop this key',
            });
        }
      })
      .optional(),
    tenants: list(SETTINGS.tenants)
      .refine((names) => names === undefined || names.length > 0, 'names no tenant: name one, or drop the key')
      .refine(
        (names) => names === undefined || new Set(names).size === names.length,
        'names a tenant twice: each name is one tenant',
      ),
    consoles: z
      .strictObject({ published: one(SETTINGS.consolesPublished), allowFrom: list(SETTINGS.consolesAllowFrom) })
      .superRefine((value, ctx) => {
        if (value.published === false && (value.allowFrom?.length ?? 0) > 0)
          ctx.addIssue({
            code: 'custom',
            path: ['allowFrom'],
            message: 'names who may reach the consoles, but `consoles.published` is false: drop one of them',
          });
      })
      .optional(),
    grafana: z.strictObject({ port: one(SETTINGS.grafanaPort) }).optional(),
    guard: z
      .strictObject({
        hostnamePatterns: list(SETTINGS.guardHostnamePatterns),
        environmentPatterns: list(SETTINGS.guardEnvironmentPatterns),
        environmentVariables: list(SETTINGS.guardEnvironmentVariables),
        markerFiles: list(SETTINGS.guardMarkerFiles),
        dockerLabels: list(SETTINGS.guardDockerLabels),
      })
      .optional(),
  })
  .superRefine((value, ctx) => {
    // Tenants named for a door that asks no one for credentials would be silently ignored.
    if (value.frontDoor?.auth === 'none' && value.tenants !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['tenants'],
        message: 'names tenants, but `frontDoor.auth` is none (no credentials asked): drop one of them',
      });
  });

export type ConfigFile = z.infer<typeof configFile>;
export type HostEntry = z.infer<typeof hostEntry>;
