// `heal-pyroscope completion bash|zsh`: a completion script made from the program itself.
import { ExitCode } from '../../core/errors.js';
import { completionScript, SHELLS, type Shell } from '../../console/completion.js';
import { defineCommand } from './definition.js';

export const completion = defineCommand<[shell: Shell], object>({
  name: 'completion',
  description: 'print a shell completion script for bash or zsh',
  arguments: [{ name: '<shell>', help: 'bash or zsh', choices: SHELLS }],
  help: `
Examples:
  $ source <(heal-pyroscope completion bash)                                        # this shell
  $ heal-pyroscope completion bash > ~/.local/share/bash-completion/completions/heal-pyroscope
  $ heal-pyroscope completion zsh > "\${fpath[1]}/_heal-pyroscope"                    # then start a new zsh`,
  async run([shell], _flags, { stdout, fullProgram }) {
    stdout.write(completionScript(shell, await fullProgram()));
    return ExitCode.ok;
  },
});
