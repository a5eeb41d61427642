// `heal-pyroscope version`: this CLI's version and the image each component runs.
import { ExitCode } from '../../core/errors.js';
import { versionReport, versionText } from '../../console/version.js';
import { defineCommand } from './definition.js';

export const version = defineCommand({
  name: 'version',
  description: 'print the version of this CLI and the image each component runs (the pins)',
  help: `
Examples:
  $ heal-pyroscope version
  $ heal-pyroscope version --json | jq -r '.images.pyroscope'`,
  async run(_args, _flags, { ctx: { out } }) {
    const report = versionReport();
    if (out.json) out.result(report);
    else out.say(versionText(report));
    return ExitCode.ok;
  },
});
