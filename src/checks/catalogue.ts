// Every per-machine check, in the order results are shown. Flows run separately (they span hosts).
import type { Check } from './check.js';
import { archCheck, clockCheck, cpuCheck, diskCheck, dockerCheck, memoryCheck, sshCheck } from './host-checks.js';
import { imagesCheck } from './images.js';
import { portsCheck } from './ports.js';

export const CATALOGUE: readonly Check[] = [sshCheck, dockerCheck, archCheck, memoryCheck, cpuCheck, diskCheck, portsCheck, imagesCheck, clockCheck];

export const CHECK_IDS: readonly string[] = [...CATALOGUE.map((c) => c.id), 'flows.open'];
