import { stat } from 'node:fs/promises'
import { resolve } from 'node:path'
import { AstropackError, type CodecName, isCodecName, loadCodec, resolveLevel } from '@astropack/codecs'
import { DEFAULT_CHUNK_SIZE, type Manifest, PackageWriter } from '@astropack/format'
import { type AtomicFile, DIRECT_MIN_BYTES, type WriteIo, withAtomicFile } from '@astropack/format/node'
import { BufferPool } from './buffer-pool.js'
import { OrderedQueue } from './ordered-queue.js'
import { type PackContext, packFile, repeatFile } from './pack-file.js'
import type { Progress } from './progress.js'
import { SameFiles } from './same-files.js'
import { SourceFiles } from './source-file.js'
import { TOOL_NAME, TOOL_VERSION } from './version.js'
import { walkSource } from './walk.js'
import { taskRunner } from './workers/codec-pool.js'

export interface PackOptions {
  sourcePath: string
  outputPath: string
  surveyName?: string
  compression?: CodecName
  level?: number
  threads?: number
  chunkSize?: number
  overwrite?: boolean
  /** A package from inputs of DIRECT_MIN_BYTES or more is written past the page cache (see unpack). Default true. */
  directIo?: boolean
  metadata?: Record<string, unknown>
  onProgress?: (progress: Progress) => void
}

export interface PackResult {
  outputPath: string
  entries: number
  files: number
  inputBytes: number
  packageBytes: number
  /** inputBytes / packageBytes */
  ratio: number
  seconds: number
  /** How the package was written: past the page cache or through it (see directIo). */
  io: WriteIo
}

/**
 * Packs a folder into one .astropack file in a single streaming pass: files are read in chunks, chunks
 * are compressed on worker threads while the next ones are read, and written in order. Memory is bounded
 * by the number of chunks in flight, whatever the file sizes.
 */
export async function packFolder(options: PackOptions): Promise<PackResult> {
  const started = performance.now()
  const codecName = options.compression ?? 'zstd'
  if (!isCodecName(codecName)) throw new AstropackError('UNKNOWN_CODEC', `unknown codec "${codecName}"`)
  const level = resolveLevel(await loadCodec(codecName), options.level)
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE
  const outputPath = resolve(options.outputPath)
  if (!options.overwrite && (await stat(outputPath).catch(() => undefined))) {
    throw new AstropackError('OUTPUT_EXISTS', `${options.outputPath} exists (use --overwrite to replace it)`)
  }
  const entries = await walkSource(options.sourcePath, [outputPath])
  const inputBytes = entries.reduce((sum, entry) => sum + entry.size, 0)
  const pool = taskRunner(inputBytes, 'encode', options.threads)
  try {
    const direct = (options.directIo ?? true) && inputBytes >= DIRECT_MIN_BYTES
    let written: AtomicFile | undefined
    const result = await withAtomicFile(outputPath, { overwrite: options.overwrite, direct }, async (out) => {
      written = out
      const writer = new PackageWriter(out)
      const queue = new OrderedQueue(pool.inFlight)
      let done = 0
      const context: PackContext = {
        pool,
        writer,
        queue,
        buffers: new BufferPool(),
        codec: codecName,
        level,
        chunkSize,
        tables: [],
        storedChunks: new Map(),
        onBytes: (bytes, entry) => {
          done += bytes
          options.onProgress?.({ phase: 'pack', bytesDone: done, bytesTotal: inputBytes, entry })
        },
      }
      const packed = new SameFiles()
      const files = new SourceFiles(
        entries.filter((entry) => entry.kind === 'file'),
        context.buffers,
      )
      try {
        for (const entry of entries) {
          if (entry.kind === 'directory') {
            const meta = { path: entry.path, mode: entry.mode, mtimeMs: entry.mtimeMs }
            await queue.push(Promise.resolve(() => writer.addDirectory(meta)))
            continue
          }
          const file = await files.next()
          try {
            const original = await packed.original(entry, file)
            if (original) await repeatFile(context, entry, original.path)
            else packed.add(entry, await packFile(context, entry, file))
          } finally {
            await files.close(file)
          }
        }
        await queue.drain()
      } finally {
        await files.dispose()
      }
      const packageBytes = await writer.finish(
        buildManifest(options, entries.length, inputBytes, context.tables),
      )
      return {
        outputPath,
        entries: entries.length,
        files: entries.filter((entry) => entry.kind === 'file').length,
        inputBytes,
        packageBytes,
        ratio: packageBytes === 0 ? 0 : inputBytes / packageBytes,
        seconds: (performance.now() - started) / 1000,
      }
    })
    // Known once the package is closed: a direct write may be refused up to its last bytes.
    return { ...result, io: written!.io }
  } finally {
    await pool.close()
  }
}

function buildManifest(
  options: PackOptions,
  entries: number,
  bytes: number,
  tables: PackContext['tables'],
): Manifest {
  return {
    format: 'astropack',
    specVersion: '1.0',
    created: new Date().toISOString(),
    tool: { name: TOOL_NAME, version: TOOL_VERSION },
    ...(options.surveyName ? { survey: { name: options.surveyName } } : {}),
    inputs: [{ source: resolve(options.sourcePath), entries, bytes }],
    ...(tables.length > 0 ? { tables } : {}),
    ...(options.metadata ? { metadata: options.metadata } : {}),
  }
}
