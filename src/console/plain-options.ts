// The options that are not settings, in a module of their own so that the program's own flags
// (--json, --verbose) need neither the settings table nor the topology options to be loaded.

export const DEFAULT_CONFIG_PATH = 'heal-pyroscope.yaml';

/** Options that are not settings: where the settings come from, and how the CLI answers. */
export const PLAIN_OPTIONS = {
  config: { flag: '-c, --config PATH', help: `topology file (default \`./${DEFAULT_CONFIG_PATH}\` when present)` },
  yes: {
    flag: '-y, --yes',
    help: 'never prompt: a missing value is an error (implied without a terminal or with CI=true)',
  },
  json: { flag: '--json', help: 'one JSON document on stdout; human output goes to stderr' },
  verbose: { flag: '--verbose', help: 'more detail; stack traces of unexpected errors' },
} as const;
