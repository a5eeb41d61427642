// `npm run bench`: every benchmark, printed as one table. Benchmarks measure; tests never assert time.
// BENCH=startup,handshakes selects some.
import { benchStartup } from './startup.js';

type Bench = () => Promise<Record<string, string>[]>;
const BENCHES: Record<string, Bench> = {
  startup: () => benchStartup(),
};

const selected = (process.env.BENCH ?? Object.keys(BENCHES).join(',')).split(',').filter((b) => b in BENCHES);
const rows: Record<string, string>[] = [];
for (const name of selected) {
  process.stderr.write(`bench: ${name}...\n`);
  rows.push(...(await BENCHES[name]!()));
}
console.table(rows);
