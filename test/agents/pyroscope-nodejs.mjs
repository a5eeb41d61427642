// The real Pyroscope Node.js SDK (@pyroscope/nodejs), configured as an operator configures it: the
// server address and an application name, nothing else. Run on a lab target (node ... SERVER APP):
// it profiles two seconds of busy work, and stop() pushes the last profile before the process ends.
import Pyroscope from '@pyroscope/nodejs';

const [serverAddress, appName] = process.argv.slice(2);
if (!serverAddress || !appName) {
  console.error('usage: pyroscope-nodejs.mjs SERVER_ADDRESS APP_NAME');
  process.exit(2);
}
Pyroscope.init({ serverAddress, appName });
Pyroscope.start();
const until = Date.now() + 2000;
let x = 0;
while (Date.now() < until) {
  for (let i = 0; i < 1e5; i++) x += Math.sqrt(i);
  await new Promise((resolve) => setImmediate(resolve));
}
await Pyroscope.stop();
console.log(`pushed ${appName} (${x > 0 ? 'busy' : 'idle'})`);
