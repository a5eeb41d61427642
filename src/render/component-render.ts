// What rendering one component yields: its files and how its container must use them. The code
// that picks a file's mount path also picks the variable that points at it, so they cannot drift.

import type { ComponentName } from '../stack/manifest.js';
import type { RenderedFile } from './rendered-file.js';

export interface ComponentRender {
  component: ComponentName;
  files: RenderedFile[];
  /** Arguments replacing the image's CMD, or null to keep the image's CMD. */
  args: string[] | null;
  /** Environment for the container. Names and file paths only: never a credential. */
  env: Record<string, string>;
}
