// A module resolve hook that records every bare package the process imports (IMPORT name) and every
// file it loads (FILE url: the packages linked into dist/cli are in its chunks), for the test that
// `--help` stays light. Registered with `node --import ./record-imports.mjs`.
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
      export async function resolve(specifier, context, next) {
        if (!specifier.startsWith('.') && !specifier.startsWith('/') && !specifier.startsWith('node:') && !specifier.startsWith('file:') && !specifier.startsWith('data:')) {
          process.stderr.write('IMPORT ' + specifier + '\\n');
        }
        const resolved = await next(specifier, context);
        if (resolved.url.startsWith('file:')) process.stderr.write('FILE ' + resolved.url + '\\n');
        return resolved;
      }`),
);
