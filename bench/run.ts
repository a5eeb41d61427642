// `npm run bench`: every benchmark, printed as one table. Benchmarks measure; tests never assert time.
// BENCH=startup,handshakes selects some; BENCH_TARGETS=1,16 shortens the preflight one; BENCH_BASELINE=DIR
// (a built checkout of main) runs preflight and install of that checkout beside this tree's.
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { benchBackup } from './backup.js';
import { benchFrontDoor } from './front-door.js';
import { formatHandshakeTable, runHandshakeBench } from './handshakes.js';
import { benchInstall } from './install.js';
import { benchPreflight, benchPreflightHandshakes } from './preflight.js';
import { benchStartup } from './startup.js';
import { benchVerify } from './verify.js';

type Bench = () => Promise<Record<string, string>[]>;
const BENCHES: Record<string, Bench> = {
  startup: () => benchStartup(),
  handshakes: async () => {
    await execa('bash', [fileURLToPath(new URL('../test/lab/lab.sh', import.meta.url)), 'up']);
    const rows = await runHandshakeBench();
    process.stderr.write(`${formatHandshakeTable(rows)}\n`);
    return rows.map((r) => ({
      bench: 'transport handshakes',
      case: r.host,
      handshakes: String(r.path),
      expected: String(r.expected),
    }));
  },
  'preflight-handshakes': () => benchPreflightHandshakes(),
  preflight: () => benchPreflight(),
  install: () => benchInstall(),
  verify: () => benchVerify(),
  backup: () => benchBackup(),
  'front-door': () => benchFrontDoor(),
};

const selected = (process.env.BENCH ?? Object.keys(BENCHES).join(',')).split(',').filter((b) => b in BENCHES);
const rows: Record<string, string>[] = [];
for (const name of selected) {
  process.stderr.write(`bench: ${name}...\n`);
  rows.push(...(await BENCHES[name]!()));
}
console.table(rows);
