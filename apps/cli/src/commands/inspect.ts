import { codecOf, type PackageReader } from '@astropack/format'
import type { Command } from 'commander'
import { formatBytes, printJson } from '../output.js'
import { withPackage } from '../package-source.js'

function summary(reader: PackageReader) {
  const files = reader.entries.filter((entry) => entry.kind === 'file')
  const rawBytes = files.reduce((sum, entry) => sum + entry.size, 0)
  const codecs: Record<string, number> = {}
  for (const chunk of reader.chunks) {
    const name = codecOf(chunk)
    codecs[name] = (codecs[name] ?? 0) + 1
  }
  return {
    formatVersion: `${reader.trailer.versionMajor}.${reader.trailer.versionMinor}`,
    packageBytes: reader.source.byteLength,
    rawBytes,
    ratio: rawBytes / reader.source.byteLength,
    entries: reader.entries.length,
    files: files.length,
    chunks: reader.chunks.length,
    chunksByCodec: codecs,
    indexBytes: reader.trailer.indexStoredSize,
    manifest: reader.manifest,
  }
}

export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description('show a package summary and its manifest (reads only trailer and index)')
    .argument('<file>', 'package path or http(s) URL')
    .option('--json', 'print as JSON')
    .action(async (file: string, flags: { json?: boolean }) => {
      const info = await withPackage(file, async (reader) => summary(reader))
      if (flags.json) return printJson(info)
      const survey = info.manifest.survey?.name ?? '(none)'
      console.log(`package     ${file} (format ${info.formatVersion})`)
      console.log(`survey      ${survey}`)
      console.log(
        `created     ${info.manifest.created} by ${info.manifest.tool.name} ${info.manifest.tool.version}`,
      )
      console.log(
        `contents    ${info.files} files, ${info.entries - info.files} folders, ${formatBytes(info.rawBytes)}`,
      )
      console.log(`package     ${formatBytes(info.packageBytes)}, ratio ${info.ratio.toFixed(2)}`)
      const codecs = Object.entries(info.chunksByCodec).map(([name, count]) => `${name} ${count}`)
      console.log(
        `chunks      ${info.chunks} (${codecs.join(', ') || 'none'}), index ${formatBytes(info.indexBytes)}`,
      )
      if (info.manifest.metadata) console.log(`metadata    ${JSON.stringify(info.manifest.metadata)}`)
    })

  program
    .command('ls')
    .description('list the entries of a package')
    .argument('<file>', 'package path or http(s) URL')
    .option('-l, --long', 'show mode, size, date and SHA-256')
    .option('--json', 'print as JSON')
    .action(async (file: string, flags: { long?: boolean; json?: boolean }) => {
      const entries = await withPackage(file, async (reader) =>
        reader.entries.map(({ firstChunk, chunkCount, ...entry }) => {
          const chunks = reader.chunkIndexes({ firstChunk, chunkCount }).map((i) => reader.chunks[i]!)
          return {
            ...entry,
            storedBytes: chunks.reduce((sum, chunk) => sum + chunk.storedSize, 0),
            // Stored with types: a table by columns, or chunks with transforms.
            typed:
              reader.segmentsOf(reader.entry(entry.path)) !== undefined ||
              chunks.some((c) => c.transformId > 0),
          }
        }),
      )
      if (flags.json) return printJson(entries)
      if (flags.long)
        console.log('mode         size       stored  ratio typed date                sha256       name')
      for (const entry of entries) {
        const name = entry.kind === 'directory' ? `${entry.path}/` : entry.path
        if (!flags.long) console.log(name)
        else {
          const mode = (entry.mode & 0o777).toString(8).padStart(4, '0')
          const date = new Date(entry.mtimeMs).toISOString().slice(0, 19).replace('T', ' ')
          const sha = entry.kind === 'file' ? entry.sha256.slice(0, 12) : '-'.padEnd(12)
          const ratio = entry.storedBytes > 0 ? (entry.size / entry.storedBytes).toFixed(2) : '-'
          console.log(
            `${mode} ${String(entry.size).padStart(12)} ${String(entry.storedBytes).padStart(12)} ${ratio.padStart(6)} ` +
              `${entry.typed ? 'yes' : 'no '}   ${date} ${sha} ${name}`,
          )
        }
      }
    })

  program
    .command('cat')
    .description('write one entry to standard output (reads only its chunks; checks its SHA-256 at the end)')
    .argument('<file>', 'package path or http(s) URL')
    .argument('<entry>', 'entry name, as ls shows it')
    .action(async (file: string, entryName: string) => {
      await withPackage(file, async (reader) => {
        // A damaged entry fails (exit 1, CHECKSUM_MISMATCH) after its bytes went out, as `gzip -dc` does.
        for await (const bytes of reader.readVerifiedEntryChunks(entryName)) {
          if (!process.stdout.write(bytes))
            await new Promise((resolve) => process.stdout.once('drain', resolve))
        }
      })
    })
}
