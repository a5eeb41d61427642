// The transport's questions (unknown host key, key passphrase, password) asked at a terminal with
// @inquirer/prompts, on stderr; without a terminal the transport's non-interactive answers apply.
import type { Interaction } from '../remote/interaction.js';

const context = { output: process.stderr, clearPromptOnDone: false };

export function promptInteraction(): Interaction {
  return {
    async confirmHostKey(host, keyType, fingerprint) {
      const { confirm } = await import('@inquirer/prompts');
      process.stderr.write(`The authenticity of host ${host} can't be established.\n${keyType} key fingerprint is ${fingerprint}.\n`);
      return confirm({ message: 'Are you sure you want to continue connecting (and record the key)?', default: false }, context);
    },
    async passphrase(keyPath) {
      const { password } = await import('@inquirer/prompts');
      return password({ message: `Passphrase for ${keyPath}:`, mask: false }, context);
    },
    async password(userAtHost) {
      const { password } = await import('@inquirer/prompts');
      return password({ message: `Password for ${userAtHost}:`, mask: false }, context);
    },
  };
}
