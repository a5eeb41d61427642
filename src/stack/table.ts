// Markdown tables of the manifest for the README; a unit test fails when the README drifts.
import { imageRef } from './image-ref.js';
import { COMPONENTS, FLOWS, defaultMemoryLimitMiB } from './manifest.js';

export function componentTable(): string {
  const rows = COMPONENTS.map(
    (c) =>
      `| ${c.name} | \`${imageRef(c)}\` | ${c.tier} | ` +
      `${c.ports.map((p) => `${p.port} (${p.purpose})`).join(', ')} | \`${c.health.path}\` on ` +
      `${c.health.port} | ${c.user} | ${c.minimum.memoryMiB} MiB, ${c.minimum.diskGiB} GiB, ` +
      `${c.minimum.cpus} | ${defaultMemoryLimitMiB(c)} MiB |${c.amd64Level ? ` ${c.amd64Level}` : ' -'} |`,
  );
  return [
    '| component | image (pinned) | tier | ports | health | container user | minimum RAM, disk, CPUs | ' +
      'memory limit (default) | amd64 CPU level |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

export function flowTable(): string {
  const rows = FLOWS.map((f) => `| ${f.from} | ${f.to} | ${f.ports.join(', ')} | ${f.why} |`);
  return ['| from | to | ports | why |', '|---|---|---|---|', ...rows].join('\n');
}
