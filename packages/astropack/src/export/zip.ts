import { type PassThrough, Readable } from 'node:stream'
import type { ByteSink, EntryRecord, PackageReader } from '@astropack/format'

/**
 * The package's files as a ZIP, byte for byte: entries are stored, not deflated (see the README), in
 * package order, each decoded piece by piece and streamed through yazl, which switches to ZIP64 where a
 * size or offset needs it. Every file's SHA-256 is checked against the index as it streams; a mismatch
 * fails the export.
 */

/** The entries to export: all, or those named, a folder standing for everything under it. */
export function entriesToExport(reader: PackageReader, names?: readonly string[]): EntryRecord[] {
  if (names === undefined) return [...reader.entries]
  const wanted = new Set<EntryRecord>()
  for (const name of names) {
    const named = reader.entry(name)
    wanted.add(named)
    if (named.kind === 'directory') {
      const prefix = `${named.path}/`
      for (const entry of reader.entries) if (entry.path.startsWith(prefix)) wanted.add(entry)
    }
  }
  return reader.entries.filter((entry) => wanted.has(entry))
}

export async function writeZip(
  reader: PackageReader,
  entries: readonly EntryRecord[],
  sink: ByteSink,
): Promise<void> {
  const { ZipFile } = await import('yazl') // only `export --to zip` loads it (and node:stream, node:zlib)
  const zip = new ZipFile()
  const output = zip.outputStream as PassThrough // what yazl makes; typed as any readable
  let failure: unknown
  const fail = (error: unknown) => {
    failure ??= error
    output.destroy(error as Error)
  }
  zip.on('error', fail)
  for (const entry of entries) {
    const options = { mtime: new Date(entry.mtimeMs), mode: zipMode(entry) }
    if (entry.kind === 'directory') {
      zip.addEmptyDirectory(entry.path, options)
      continue
    }
    // Each file's stream starts only when yazl reaches it: one file is being decoded at a time.
    zip.addReadStreamLazy(entry.path, { ...options, compress: false, size: entry.size }, (give) => {
      const stream = Readable.from(reader.readVerifiedEntryChunks(entry.path), { objectMode: false })
      stream.on('error', fail)
      give(null, stream)
    })
  }
  zip.end()
  try {
    for await (const bytes of output) await sink.write(bytes as Buffer)
  } catch (error) {
    throw failure ?? error
  }
  if (failure) throw failure
}

/** Unix file type and permission bits, as unzip restores them. */
function zipMode(entry: EntryRecord): number {
  const permissions = entry.mode & 0o7777
  return entry.kind === 'directory' ? 0o40000 | (permissions || 0o755) : 0o100000 | (permissions || 0o644)
}
