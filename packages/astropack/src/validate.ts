import {
  type ByteSource,
  type EntriesDecoder,
  isAstropackError,
  type Problem,
  verifyPackage,
  withReadAhead,
} from '@astropack/format'
import { openFile } from '@astropack/format/node'
import { BufferPool } from './buffer-pool.js'
import { decodeEntry } from './decode-entry.js'
import { expectedSchemaProblems } from './expected-schema.js'
import { type Apply, OrderedQueue } from './ordered-queue.js'
import type { Progress } from './progress.js'
import { type TaskRunner, taskRunner } from './workers/codec-pool.js'

export interface ValidateOptions {
  packPath: string
  /** 'full' (or true) decodes everything and checks each file's SHA-256; 'quick' (or false) checks checksums only. */
  checksumVerification?: 'quick' | 'full' | boolean
  /**
   * A JSON Schema the package's manifest must satisfy (e.g. required survey metadata), with an optional
   * `astropackTables` keyword for tables and columns: names, types, units, value ranges (expected-schema.ts).
   */
  expectedSchema?: object
  /** Worker threads for full checks (default: all cores). */
  threads?: number
  onProgress?: (progress: Progress) => void
}

export interface ValidateResult {
  isValid: boolean
  errors: Problem[]
  entries: number
  storedBytes: number
  seconds: number
}

export async function validatePackage(options: ValidateOptions): Promise<ValidateResult> {
  const started = performance.now()
  const full = options.checksumVerification === true || options.checksumVerification === 'full'
  let source: ByteSource
  try {
    source = withReadAhead(await openFile(options.packPath))
  } catch (error) {
    if (!isAstropackError(error)) throw error
    return {
      isValid: false,
      errors: [{ code: error.code, message: error.message }],
      entries: 0,
      storedBytes: 0,
      seconds: 0,
    }
  }
  // Full checks decode as unpack does (worker threads, or this thread for small packages), made once the
  // index says how much there is; quick checks only read and CRC.
  let pool: TaskRunner | undefined
  const buffers = new BufferPool()
  const decodeEntries: EntriesDecoder = async (reader, entries, sink) => {
    pool ??= taskRunner(
      reader.entries.reduce((sum, e) => sum + e.size, 0),
      'decode',
      options.threads,
    )
    const runner = pool
    // One queue for every entry keeps the workers busy across entries; an entry that fails is reported
    // in its turn and the ones after it are still checked.
    const queue = new OrderedQueue(runner.inFlight)
    for (const entry of entries) {
      let failed = false
      const fail = (error: unknown) => {
        if (!failed) sink.fail(entry, error)
        failed = true
      }
      const isolated = {
        push: (work: Promise<Apply>) =>
          queue.push(
            work.then(
              (apply) => async () => {
                if (failed) return
                try {
                  await apply()
                } catch (error) {
                  fail(error)
                }
              },
              (error) => () => fail(error),
            ),
          ),
      }
      try {
        await decodeEntry({ reader, pool: runner, buffers, queue: isolated }, entry, (bytes) =>
          sink.bytes(entry, bytes),
        )
      } catch (error) {
        await queue.push(Promise.resolve(() => fail(error))) // read errors (a damaged chunk), in order
        continue
      }
      await queue.push(
        Promise.resolve(() => {
          if (!failed) sink.end(entry)
        }),
      )
    }
    await queue.drain()
  }
  try {
    const result = await verifyPackage(source, {
      full,
      onProgress: (bytesDone, bytesTotal) =>
        options.onProgress?.({ phase: 'validate', bytesDone, bytesTotal }),
      ...(full ? { decodeEntries } : {}),
    })
    const errors = [...result.problems]
    if (options.expectedSchema && result.manifest)
      errors.push(...(await expectedSchemaProblems(result.manifest, options.expectedSchema)))
    return {
      isValid: errors.length === 0,
      errors,
      entries: result.entries,
      storedBytes: result.storedBytes,
      seconds: (performance.now() - started) / 1000,
    }
  } finally {
    await pool?.close()
    await source.close?.()
  }
}
