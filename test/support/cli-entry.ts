// The CLI from its sources, as a process of its own (for tests that send it signals): what
// bin/heal-pyroscope does with dist/, without needing a build. Run with `node --import tsx`.
import { main } from '../../src/cli/main.js';

process.exitCode = await main(process.argv);
