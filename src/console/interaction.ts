// The transport's questions (unknown host key, key passphrase, password) asked at a terminal with
// @inquirer/prompts, on stderr; without a terminal the transport's non-interactive answers apply.
import type { Interaction } from '../remote/interaction.js';

const context = { output: process.stderr, clearPromptOnDone: false };
// Whether a passphrase or password is right is known only later (the key decrypts, the server
// accepts): its prompt shows no ✔ when answered, and is cleared.
const unjudged = { prefix: { done: '·' } };

export function promptInteraction(): Interaction {
  // The transport asks again for a key only after a wrong answer (a right one is kept for the run).
  const passphrasesAsked = new Map<string, number>();
  return {
    async confirmHostKey(host, keyType, fingerprint) {
      const { confirm } = await import('@inquirer/prompts');
      process.stderr.write(
        `The authenticity of host ${host} can't be established.\n${keyType} key fingerprint is ${fingerprint}.\n`,
      );
      return confirm(
        { message: 'Are you sure you want to continue connecting (and record the key)?', default: false },
        context,
      );
    },
    async passphrase(keyPath) {
      const { password } = await import('@inquirer/prompts');
      const asked = (passphrasesAsked.get(keyPath) ?? 0) + 1;
      passphrasesAsked.set(keyPath, asked);
      const message =
        asked === 1 ? `Passphrase for ${keyPath}:` : `Wrong passphrase. Passphrase for ${keyPath} (attempt ${asked}):`;
      return password({ message, mask: false, theme: unjudged }, { ...context, clearPromptOnDone: true });
    },
    async password(userAtHost) {
      const { password } = await import('@inquirer/prompts');
      return password(
        { message: `Password for ${userAtHost}:`, mask: false, theme: unjudged },
        { ...context, clearPromptOnDone: true },
      );
    },
  };
}
