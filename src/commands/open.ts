// `open grafana|minio`: a local port forwarded to Grafana or the MinIO console through the SSH
// session of the machine that runs it, until Ctrl-C (exit 130). Prints the URL; the login is
// `heal-pyroscope credentials`.
import { ExitCode } from '../core/errors.js';
import {
  openHosts,
  openPhases,
  OPEN_SERVICES,
  servicePort,
  type OpenContext,
  type OpenService,
} from '../phases/open/open.js';
import type { ConnectFlags } from '../console/connect.js';
import type { GatherContext } from '../console/gather.js';
import { runPhaseCommand } from '../console/lifecycle.js';
import type { TopologyFlags } from '../console/topology-options.js';

export interface OpenFlags extends TopologyFlags, ConnectFlags {
  service: OpenService;
  port?: number;
}

export async function runOpenCommand(flags: OpenFlags, ctx: GatherContext): Promise<number> {
  const { out } = ctx;
  return runPhaseCommand(flags, ctx, async ({ topology, connect }) => {
    const stop = new AbortController();
    const open: OpenContext = {
      topology,
      connect,
      hosts: openHosts(topology, flags.service),
      service: flags.service,
      localPort: flags.port ?? servicePort(topology, flags.service),
      onReady: ({ url, machine, remote }) => {
        const title = OPEN_SERVICES[flags.service].title;
        if (out.json) out.record({ ok: true, service: flags.service, url, machine, remote });
        else {
          out.say(`${title}: ${out.color.bold(url)}  (${remote} through ${machine}'s SSH session)`);
          out.say(out.color.dim(`the login: heal-pyroscope credentials ${flags.service}; Ctrl-C closes the port`));
        }
      },
      stop: stop.signal,
    };
    return {
      phases: openPhases(),
      context: open,
      interrupt: { words: { first: '', again: 'interrupted again: exiting at once' }, stops: stop },
      progress: false,
      finish: () => ({ exitCode: stop.signal.aborted ? ExitCode.interrupted : ExitCode.ok }),
    };
  });
}
