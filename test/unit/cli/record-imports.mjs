// A module resolve hook that records every bare package the process imports, for the test that
// `--help` stays light. Registered with `node --import ./record-imports.mjs`.
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
      export async function resolve(specifier, context, next) {
        if (!specifier.startsWith('.') && !specifier.startsWith('/') && !specifier.startsWith('node:') && !specifier.startsWith('file:') && !specifier.startsWith('data:')) {
          process.stderr.write('IMPORT ' + specifier + '\\n');
        }
        return next(specifier, context);
      }`),
);
