// The shape of heal-pyroscope.yaml, as a zod schema: strict (unknown keys are errors) so that a typo
// never silently falls back to a default on a real host.
import { z } from 'zod';
import { isValidHost, USER_NAME as USER } from './hostname.js';
import { pinnedImageProblem } from '../stack/image-ref.js';

export const hostName = z.string().refine(isValidHost, {
  error: (issue) => `${JSON.stringify(issue.input)} is not a valid hostname or IP address`,
});
const userName = z.string().regex(USER, { error: (i) => `${JSON.stringify(i.input)} is not a valid user name` });
const port = z
  .number({ error: (i) => `${JSON.stringify(i.input)} is not a port number` })
  .int({ error: (i) => `${JSON.stringify(i.input)} is not a whole number` })
  .min(1, { error: (i) => `${String(i.input)} is not a port (1-65535)` })
  .max(65535, { error: (i) => `${String(i.input)} is not a port (1-65535)` });
const absolutePath = z
  .string()
  .refine((p) => p.startsWith('/'), { error: (i) => `${JSON.stringify(i.input)} must be an absolute path` });
const localPath = z.string().min(1, { error: 'must not be empty' });
/** `host`, `user@host` or `user@host:port`. */
const jumpHost = z.string().refine(
  (v) => {
    const m = /^(?:([^@\s]+)@)?([^@\s:]+|\[[^\]]+\])(?::(\d+))?$/.exec(v);
    return m !== null && isValidHost(m[2]!.replace(/^\[|\]$/g, '')) && (m[1] === undefined || USER.test(m[1]));
  },
  { error: (i) => `${JSON.stringify(i.input)} is not a jump host (use host, user@host or user@host:port)` },
);
const regex = z.string().refine(
  (v) => {
    try {
      new RegExp(v, 'i');
      return true;
    } catch {
      return false;
    }
  },
  { error: (i) => `${JSON.stringify(i.input)} is not a valid regular expression` },
);

/** SSH settings shared by every host; each host may override them. */
export const sshSettings = z.strictObject({
  user: userName.optional(),
  port: port.optional(),
  identityFile: localPath.optional(),
  agent: z.boolean().optional(),
  knownHostsFile: localPath.optional(),
  jumpHost: jumpHost.optional(),
});

export const hostEntry = z.union([
  hostName,
  z.strictObject({
    host: hostName,
    name: z.string().min(1).max(64).optional(),
    user: userName.optional(),
    port: port.optional(),
    identityFile: localPath.optional(),
    jumpHost: jumpHost.optional(),
    dockerSocket: absolutePath.optional(),
  }),
]);

export const guardRules = z.strictObject({
  hostnamePatterns: z.array(regex).optional(),
  environmentPatterns: z.array(regex).optional(),
  environmentVariables: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/)).optional(),
  markerFiles: z.array(absolutePath).optional(),
  dockerLabels: z.array(z.string().min(1)).optional(),
});

/** An image reference pinned by tag or digest (never `latest`). */
export const pinnedImage = z.string().superRefine((ref, ctx) => {
  const problem = pinnedImageProblem(ref);
  if (problem) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(ref)} ${problem}` });
});
const perComponent = <T extends z.ZodType>(value: T) =>
  z.strictObject({ minio: value.optional(), pyroscope: value.optional(), tempo: value.optional(), grafana: value.optional(), haproxy: value.optional() });

/** Docker's size notation for log files: `10m`, `512k`, `1g`. */
export const LOG_SIZE = /^[1-9]\d*[kmg]$/;
/** A memory limit: a number with a unit (`512m`, `2g`), or `none` for no limit. */
export const MEMORY_LIMIT = /^(?:[1-9]\d*[mg]|none)$/;

export const configFile = z.strictObject({
  environment: z.string().min(1).max(64).optional(),
  ssh: sshSettings.optional(),
  hosts: z
    .strictObject({
      targets: z.array(hostEntry).optional(),
      web: hostEntry.optional(),
      app: hostEntry.optional(),
      db: hostEntry.optional(),
    })
    .optional(),
  docker: z.strictObject({ socket: absolutePath.optional() }).optional(),
  registry: z
    .strictObject({
      prefix: z
        .string()
        .regex(/^[A-Za-z0-9.-]+(:\d+)?(\/[a-z0-9._-]+)*\/?$/, {
          error: (i) => `${JSON.stringify(i.input)} is not a registry prefix (e.g. registry.internal:5000/mirror)`,
        })
        .optional(),
    })
    .optional(),
  images: perComponent(pinnedImage).optional(),
  containers: z
    .strictObject({
      logs: z
        .strictObject({
          maxSize: z.string().regex(LOG_SIZE, { error: (i) => `${JSON.stringify(i.input)} is not a log size (e.g. 10m, 512k, 1g)` }).optional(),
          maxFiles: z
            .number({ error: (i) => `${JSON.stringify(i.input)} is not a number of log files (1-100)` })
            .int({ error: (i) => `${String(i.input)} is not a number of log files (1-100)` })
            .min(1, { error: (i) => `${String(i.input)} is not a number of log files (1-100)` })
            .max(100, { error: (i) => `${String(i.input)} is not a number of log files (1-100)` })
            .optional(),
        })
        .optional(),
      memoryLimits: perComponent(
        z.string().regex(MEMORY_LIMIT, { error: (i) => `${JSON.stringify(i.input)} is not a memory limit (e.g. 512m, 2g, or none)` }),
      ).optional(),
    })
    .optional(),
  grafana: z.strictObject({ port: port.optional() }).optional(),
  guard: guardRules.optional(),
});

export type ConfigFile = z.infer<typeof configFile>;
export type HostEntry = z.infer<typeof hostEntry>;
export type GuardRulesInput = z.infer<typeof guardRules>;
