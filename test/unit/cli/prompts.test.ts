import { describe, expect, it } from 'vitest';
import { toHealError } from '../../../src/console/output.js';
import { splitHosts, validateAnswer, validateEnvironment, validateHostList } from '../../../src/console/prompts.js';
import { setting } from '../../../src/config/settings.js';
import { DEFAULT_GUARD_RULES } from '../../../src/guard/rules.js';

describe('prompt answers are validated as they are typed', () => {
  it('accepts a list of hosts separated by commas or spaces', () => {
    expect(validateHostList('10.1.0.5, app-02.internal  app-03')).toBe(true);
    expect(splitHosts('10.1.0.5, app-02.internal  app-03')).toEqual(['10.1.0.5', 'app-02.internal', 'app-03']);
  });

  it('names the first invalid host of a list', () => {
    expect(validateHostList('good-host, bad_host!')).toBe('"bad_host!" is not a valid hostname or IP address');
    expect(validateHostList('  ')).toMatch(/at least one host/);
  });

  it('checks an answer with the kind the flag and the config file use', () => {
    const ctx = { rules: DEFAULT_GUARD_RULES, env: {} };
    expect(validateAnswer(setting('sshUser'), 'deploy', ctx)).toBe(true);
    expect(validateAnswer(setting('sshUser'), 'de ploy', ctx)).toBe('"de ploy" is not a valid user name');
    expect(validateAnswer(setting('web'), ' ', ctx)).toBe('enter the web host');
  });

  it('asks for a key file that exists', () => {
    const ctx = { rules: DEFAULT_GUARD_RULES, env: {} };
    expect(validateAnswer(setting('identityFile'), '/etc/hostname', ctx)).toBe(true);
    expect(validateAnswer(setting('identityFile'), '/no/such/key', ctx)).toBe('no file at /no/such/key');
  });

  it('refuses a production-looking environment name at the prompt', () => {
    expect(validateEnvironment('staging', DEFAULT_GUARD_RULES)).toBe(true);
    expect(validateEnvironment('Production', DEFAULT_GUARD_RULES)).toMatch(/looks like production/);
    expect(validateEnvironment('', DEFAULT_GUARD_RULES)).toMatch(/enter the environment name/);
  });
});

describe('interruption', () => {
  it('maps Ctrl-C at a prompt to exit code 130 without a stack trace', () => {
    const error = Object.assign(new Error('User force closed the prompt with SIGINT'), { name: 'ExitPromptError' });
    const heal = toHealError(error);
    expect(heal.exitCode).toBe(130);
    expect(heal.message).toBe('interrupted at a prompt; nothing was changed');
  });

  it('turns an unexpected error into exit 1 with a hint to use --verbose', () => {
    const heal = toHealError(new TypeError('x is undefined'));
    expect(heal.exitCode).toBe(1);
    expect(heal.hint).toMatch(/--verbose/);
  });
});
