// Every command, in the order the program's --help lists them.
import { agents } from './agents.js';
import { backup } from './backup.js';
import { completion } from './completion.js';
import { credentials } from './credentials.js';
import type { CommandDefinition } from './definition.js';
import { images } from './images.js';
import { init } from './init.js';
import { install } from './install.js';
import { logs } from './logs.js';
import { open } from './open.js';
import { preflight } from './preflight.js';
import { restore } from './restore.js';
import { status } from './status.js';
import { uninstall } from './uninstall.js';
import { verify } from './verify.js';
import { version } from './version.js';

export const COMMANDS: readonly CommandDefinition[] = [
  preflight,
  install,
  uninstall,
  status,
  verify,
  logs,
  open,
  credentials,
  agents,
  backup,
  restore,
  init,
  images,
  version,
  completion,
];
