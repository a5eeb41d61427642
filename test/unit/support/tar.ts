// Tar entries for tests that build archives by hand (crafted backups, the engine's archive answers).
import type { Header, Pack } from 'tar-stream';

export interface TarEntry {
  header: Partial<Header>;
  body?: string | Buffer;
}

/** Adds each entry in turn (a body, or none for a directory, link or device). */
export async function addEntries(tar: Pack, entries: readonly TarEntry[]): Promise<void> {
  for (const { header, body } of entries) {
    await new Promise<void>((resolve, reject) =>
      body === undefined
        ? tar.entry(header as Header, (e) => (e ? reject(e) : resolve()))
        : tar.entry(header as Header, body, (e) => (e ? reject(e) : resolve())),
    );
  }
}
