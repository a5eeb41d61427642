// Every per-machine check, in the order results are shown. Flows run separately (they span hosts).
import { addressCheck } from './addresses.js';
import type { Check } from './check.js';
import {
  archCheck,
  clockCheck,
  cpuCheck,
  diskCheck,
  dockerCheck,
  memoryCheck,
  rootCheck,
  sshCheck,
} from './host-checks.js';
import { cpuLevelCheck } from './cpu-level.js';
import { imagesCheck } from './images.js';
import { portsCheck } from './ports.js';

export const CATALOGUE: readonly Check[] = [
  sshCheck,
  rootCheck,
  addressCheck,
  dockerCheck,
  archCheck,
  cpuLevelCheck,
  memoryCheck,
  cpuCheck,
  diskCheck,
  portsCheck,
  imagesCheck,
  clockCheck,
];

export const CHECK_IDS: readonly string[] = [...CATALOGUE.map((c) => c.id), 'flows.open'];
