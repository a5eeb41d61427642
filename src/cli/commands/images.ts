// `heal-pyroscope images save FILE`: the pinned images in one archive, for sites without a registry.
import type { ImagesSaveFlags } from '../../commands/images.js';
import type { SettingsOptions } from '../../console/options.js';
import { defineCommand, EXIT_CODES } from './definition.js';

/** Only what chooses the images: no hosts are involved. */
const IMAGE_SETTINGS: SettingsOptions = (command, t) =>
  command
    .option(
      '-c, --config <path>',
      'read registry.prefix and images from this config file (default: ./heal-pyroscope.yaml when it exists)',
    )
    .addOption(t.settingOption('registryPrefix'))
    .addOption(t.settingOption('images'))
    .option(
      '--docker-socket <path>',
      'local Docker engine socket (default: DOCKER_HOST if unix:// or plain tcp://, else /var/run/docker.sock)',
    );

const save = defineCommand<[file: string], ImagesSaveFlags>({
  name: 'save',
  description:
    'pull every pinned image into the local Docker engine and write them into one archive for install --images-from',
  arguments: [{ name: '<file>' }],
  settingsOptions: IMAGE_SETTINGS,
  help: `
Run it on a machine that can pull (Docker running, registry reachable); copy FILE to a machine that
reaches the hosts, then install from it: each host loads only the images it runs, over SSH.

Examples:
  $ heal-pyroscope images save heal-pyroscope-images.tar
  $ heal-pyroscope images save --config staging.yaml images.tar   # with its registry.prefix and images
  $ heal-pyroscope install --config staging.yaml --images-from heal-pyroscope-images.tar
${EXIT_CODES}`,
  async run([file], flags, { ctx }) {
    const { runImagesSave } = await import('../../commands/images.js');
    return runImagesSave(file, flags, ctx);
  },
});

export const images = defineCommand({
  name: 'images',
  description: 'move the pinned images without a registry (air-gapped sites)',
  commands: [save],
});
