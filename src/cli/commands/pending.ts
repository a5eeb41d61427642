// Commands whose implementation has not landed yet: they still validate the topology (so config
// errors surface today) and then exit 2 saying so, instead of pretending to work.
import { ExitCode, HealError } from '../../errors.js';
import { gatherTopology, type GatherContext } from '../gather.js';
import type { TopologyFlags } from '../topology-options.js';

export async function runPending(command: string, flags: TopologyFlags, ctx: GatherContext): Promise<number> {
  const { topology } = await gatherTopology(flags, ctx);
  ctx.out.debug(`topology: ${topology.targets.length} target(s), web ${topology.web.host}, app ${topology.app.host}, db ${topology.db.host}`);
  throw new HealError({
    code: 'not-implemented',
    message: `\`${command}\` is not built yet in this version of heal-pyroscope; the topology is valid`,
    hint: 'see README.md ("Status") for what is available',
    exitCode: ExitCode.usage,
  });
}
