// Client authentication in OpenSSH's order: ssh-agent, then identity files (asking for a passphrase
// when a key is encrypted), then a password asked through the Interaction. Remembers what it tried
// so that a failure can say so in one line.

import { readFile, stat } from 'node:fs/promises';
import ssh2 from 'ssh2';
import type { AnyAuthMethod, AuthHandlerMiddleware, AuthenticationType, ParsedKey } from 'ssh2';
import { HealError, isHealError } from '../core/errors.js';
import type { Deadline } from './deadline.js';
import type { KeyProblem } from './identity-file.js';
import { identitiesOnlyAgent, identityBlobs } from './identities-only.js';
import { judgeKeyData, unreadableKey, wrongPassphrase } from './identity-file.js';
import type { InteractionGate } from './interaction.js';
import type { SshTarget } from './target.js';
import { describeTarget } from './target.js';

type Step = { kind: 'agent'; socket: string } | { kind: 'key'; path: string } | { kind: 'password' };

/**
 * Keys shared by the sessions of one run: decrypted ones, so a passphrase is asked once per key,
 * and ones that failed (wrong passphrase), so they are not asked again for every host.
 */
export type KeyCache = Map<string, ParsedKey | KeyProblem>;

function isKeyProblem(entry: ParsedKey | KeyProblem): entry is KeyProblem {
  return 'kind' in entry && 'hint' in entry;
}

export interface AuthContext {
  target: SshTarget;
  gate: InteractionGate;
  deadline: Deadline;
  keyCache: KeyCache;
  /** `$SSH_AUTH_SOCK`, passed in so that tests and the CLI decide, not the environment at import. */
  agentSocketFromEnv: string | undefined;
}

const PASSWORD_ATTEMPTS = 3;
const PASSPHRASE_ATTEMPTS = 3;

export class Authenticator {
  /** Methods actually offered to the server, e.g. `agent (/tmp/ssh-x/agent.1)`, `key ~/.ssh/id_ed25519`. */
  readonly tried: string[] = [];
  /** Why candidates were skipped (missing file, encrypted key without a passphrase, ...). */
  readonly notes: string[] = [];
  /** Identity files that could not be used (missing, public key, wrong passphrase, ...), in order. */
  readonly keyProblems: KeyProblem[] = [];
  /** The first refusal from a person or from non-interactive mode; its hint is the best next step. */
  interactionError: HealError | undefined;
  serverMethods: AuthenticationType[] = [];
  private readonly steps: Step[];
  private passwordsAsked = 0;

  constructor(private readonly ctx: AuthContext) {
    const agent = ctx.target.agent === undefined ? ctx.agentSocketFromEnv : ctx.target.agent || undefined;
    this.steps = [
      ...(agent ? [{ kind: 'agent', socket: agent } as const] : []),
      ...(ctx.target.identityFiles ?? []).map((path) => ({ kind: 'key', path }) as const),
      { kind: 'password' },
    ];
  }

  /** ssh2's authHandler: the first call (methods unknown) sends `none` to learn what the server accepts. */
  readonly handler: AuthHandlerMiddleware = (methodsLeft, _partial, next) => {
    if (methodsLeft === null) {
      next({ type: 'none', username: this.ctx.target.user });
      return;
    }
    this.serverMethods = methodsLeft;
    this.next(methodsLeft).then(
      (method) => next(method as AnyAuthMethod),
      (error: unknown) => {
        this.notes.push(`internal error: ${String(error)}`);
        next(false as unknown as AnyAuthMethod);
      },
    );
  };

  failure(): HealError {
    const who = describeTarget(this.ctx.target);
    const details = [
      ...this.notes,
      ...(this.ctx.target.certificateFiles ?? []).map(
        (c) => `CertificateFile ${c} not used: ssh2 cannot present OpenSSH certificates, only the key itself`,
      ),
      `server accepts: ${this.serverMethods.join(', ') || 'unknown'}`,
    ];
    // A key the operator named but that could not be used is the likeliest cause: name it first.
    const problem = this.keyProblems[0];
    if (problem) {
      const alsoTried = this.tried.length > 0 ? `; also tried: ${this.tried.join(', ')}` : '';
      return new HealError({
        code: `ssh.key.${problem.kind}`,
        message: `SSH authentication failed for ${who}: ${problem.message}${alsoTried}`,
        hint: problem.hint,
        details,
      });
    }
    // With nothing tried, the refusal to ask (e.g. an encrypted key in CI) is the real cause.
    const tried =
      this.tried.length > 0
        ? this.tried.join(', ')
        : `nothing usable${this.interactionError ? ` (${this.interactionError.message})` : ''}`;
    const hint =
      this.interactionError?.hint ??
      (this.tried.length === 0
        ? 'Start ssh-agent and ssh-add your key, set identityFile, or run interactively to type a password'
        : `Check that your public key is in ~${this.ctx.target.user}/.ssh/authorized_keys on ` +
          `${this.ctx.target.name} and that the user name is right`);
    return new HealError({
      code: 'ssh.auth',
      message: `SSH authentication failed for ${who}; tried: ${tried}`,
      hint,
      details,
    });
  }

  private async next(methods: readonly AuthenticationType[]): Promise<AnyAuthMethod | false> {
    const username = this.ctx.target.user;
    for (let step = this.steps[0]; step; step = this.steps[0]) {
      if (step.kind === 'password') {
        const method = await this.passwordMethod(methods);
        if (method) return method;
        this.steps.shift();
        continue;
      }
      this.steps.shift();
      if (!methods.includes('publickey')) {
        this.notes.push(`${step.kind === 'agent' ? 'agent' : `key ${step.path}`}: server does not accept public keys`);
        continue;
      }
      if (step.kind === 'agent') {
        if (!(await isSocket(step.socket))) {
          this.notes.push(`agent: no socket at ${step.socket}`);
          continue;
        }
        if (this.ctx.target.identitiesOnly) {
          // IdentitiesOnly: the agent signs only for the identity files' keys.
          const blobs = await identityBlobs(this.ctx.target.identityFiles ?? []);
          if (blobs.length === 0) {
            this.notes.push('agent: not used (IdentitiesOnly, and no public key of an identity file is known)');
            continue;
          }
          this.tried.push('agent (IdentitiesOnly)');
          return { type: 'agent', username, agent: identitiesOnlyAgent(step.socket, blobs) };
        }
        this.tried.push('agent');
        return { type: 'agent', username, agent: step.socket };
      }
      const key = await this.loadKey(step.path);
      if (!key) continue;
      this.tried.push(`key ${step.path}`);
      return { type: 'publickey', username, key };
    }
    return false;
  }

  private async passwordMethod(methods: readonly AuthenticationType[]): Promise<AnyAuthMethod | null> {
    const username = this.ctx.target.user;
    const usePassword = methods.includes('password');
    if (!usePassword && !methods.includes('keyboard-interactive')) return null;
    if (this.passwordsAsked >= PASSWORD_ATTEMPTS || this.interactionError) return null;
    this.passwordsAsked += 1;
    const password = await this.ask((i) => i.password(`${username}@${this.ctx.target.host}`));
    if (password === undefined) return null;
    if (!this.tried.includes('password')) this.tried.push('password');
    if (usePassword) return { type: 'password', username, password };
    // PAM setups often offer only keyboard-interactive: answer its prompts with the password.
    return {
      type: 'keyboard-interactive',
      username,
      prompt: (_name, _instructions, _lang, prompts, finish) => finish(prompts.map(() => password)),
    };
  }

  private async loadKey(path: string): Promise<ParsedKey | null> {
    const cached = this.ctx.keyCache.get(path);
    if (cached) return this.usable(cached);
    let data: Buffer;
    try {
      data = await readFile(path);
    } catch (error) {
      return this.usable(unreadableKey(path, error));
    }
    const problem = judgeKeyData(path, data);
    if (problem) return this.usable(problem);
    // judgeKeyData let it through: a private key, or an encrypted one that needs its passphrase.
    const parsed = ssh2.utils.parseKey(data);
    const key = parsed instanceof Error ? await this.decrypt(path, data) : parsed;
    if (key === null) return null;
    if (!isKeyProblem(key)) this.ctx.keyCache.set(path, key);
    return this.usable(key);
  }

  /** The key itself, or null with its problem noted (once) for the failure message. */
  private usable(entry: ParsedKey | KeyProblem): ParsedKey | null {
    if (!isKeyProblem(entry)) return entry;
    if (!this.keyProblems.some((p) => p.path === entry.path)) {
      this.keyProblems.push(entry);
      this.notes.push(entry.message);
    }
    return null;
  }

  private async decrypt(path: string, data: Buffer): Promise<ParsedKey | KeyProblem | null> {
    // Asked inside the gate so that a second session waiting on the same key finds it cached,
    // a wrong passphrase included: it is not asked again for every host.
    const key = await this.ask(async (interaction) => {
      const cached = this.ctx.keyCache.get(path);
      if (cached) return cached;
      for (let attempt = 1; attempt <= PASSPHRASE_ATTEMPTS; attempt++) {
        const parsed = ssh2.utils.parseKey(data, await interaction.passphrase(path));
        if (!(parsed instanceof Error)) return parsed;
      }
      const refused = wrongPassphrase(path, PASSPHRASE_ATTEMPTS);
      this.ctx.keyCache.set(path, refused);
      return refused;
    });
    return key ?? null;
  }

  /** A question to a person, with the handshake clock stopped; refusals are remembered, not thrown. */
  private async ask<T>(question: (i: InteractionGate['interaction']) => Promise<T>): Promise<T | undefined> {
    try {
      return await this.ctx.deadline.paused(() => this.ctx.gate.run(question));
    } catch (error) {
      if (!isHealError(error)) throw error;
      this.interactionError ??= error;
      this.notes.push(error.message);
      return undefined;
    }
  }
}

async function isSocket(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isSocket();
  } catch {
    return false;
  }
}
