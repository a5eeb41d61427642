// The real Pyroscope Node.js SDK (@pyroscope/nodejs) with nothing but the settings `agents nodejs`
// printed: node pyroscope-nodejs.mjs SETTINGS.mjs, where SETTINGS.mjs is that snippet as written
// (it imports the SDK, calls init and start). Then two seconds of busy work, and stop() pushes the
// last profile before the process ends.
import { pathToFileURL } from 'node:url';
import Pyroscope from '@pyroscope/nodejs';

const [settings] = process.argv.slice(2);
if (!settings) {
  console.error('usage: pyroscope-nodejs.mjs SETTINGS.mjs');
  process.exit(2);
}
await import(pathToFileURL(settings).href);
const until = Date.now() + 2000;
let x = 0;
while (Date.now() < until) {
  for (let i = 0; i < 1e5; i++) x += Math.sqrt(i);
  await new Promise((resolve) => setImmediate(resolve));
}
await Pyroscope.stop();
console.log(`pushed (${x > 0 ? 'busy' : 'idle'})`);
