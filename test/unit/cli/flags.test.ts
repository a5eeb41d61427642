import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { formatProblem, parseConfig } from '../../../src/config/load.js';
import { flagsToInput, withTopologyOptions } from '../../../src/console/topology-options.js';
import { runCli } from '../../support/run-cli.js';

const parse = (args: string[]) => {
  const command = withTopologyOptions(new Command('t').exitOverride());
  command.parse(['node', 't', ...args]);
  return flagsToInput(command.opts());
};

describe('topology flags (generated from the settings table)', () => {
  it('become a TopologyInput keyed by setting name', () => {
    expect(
      parse([
        '--target',
        'a,b',
        '--target',
        'c',
        '--ssh-port',
        '2222',
        '--ssh-agent',
        '--known-hosts',
        '/k',
        '--image',
        'tempo=grafana/tempo:2.8.2',
      ]),
    ).toEqual({
      targets: ['a', 'b', 'c'],
      sshPort: 2222,
      agent: true,
      knownHostsFile: '/k',
      images: { tempo: 'grafana/tempo:2.8.2' },
    });
  });

  it('leave out what was not given', () => {
    expect(parse([])).toEqual({});
  });

  it('refuse a bad value as a usage error naming the flag', async () => {
    const cases: Array<[string, string, string]> = [
      ['--ssh-port', '70000', '"70000" is not a port (1-65535)'],
      ['--grafana-port', 'http', '"http" is not a port (1-65535)'],
      ['--ssh-user', 'bad user', '"bad user" is not a valid user name'],
      ['--jump-host', 'a@b@c', '"a@b@c" is not a jump host'],
      ['--registry-prefix', 'https://registry', '"https://registry" is not a registry prefix'],
    ];
    for (const [flag, value, problem] of cases) {
      const r = await runCli(['preflight', flag, value]);
      expect(r.code, flag).toBe(2);
      expect(r.stderr, flag).toContain(`option '${flag} <`);
      expect(r.stderr, flag).toContain(problem);
    }
  });

  it('refuse what the config file refuses, in the same words', async () => {
    const r = await runCli(['preflight', '--registry-prefix', 'https://registry']);
    const fromFile = parseConfig('registry:\n  prefix: "https://registry"\n').problems.map(formatProblem)[0]!;
    const sentence = fromFile.replace(/^registry\.prefix: /, '').replace(/ \(line \d+\)$/, '');
    expect(r.stderr).toContain(sentence);
  });

  it('are in the help of images save where they apply', async () => {
    const r = await runCli(['images', 'save', '--help']);
    expect(r.stdout).toContain('--registry-prefix <prefix>');
    expect(r.stdout.replace(/\s+/g, ' ')).toContain('(config: registry.prefix)');
  });
});
