import { unlinkSync } from 'node:fs'
import { link, rename, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { AstropackError } from '../errors.js'
import type { ByteSink } from '../writer.js'
import { createWriter, type SequentialWriter, type WriteIo } from './direct-writer.js'

/** Temporary files not yet renamed: removed if the process is interrupted or exits. */
const pending = new Set<string>()
let cleanupInstalled = false

function installCleanup(): void {
  if (cleanupInstalled) return
  cleanupInstalled = true
  const removeAll = () => {
    for (const path of pending) {
      try {
        unlinkSync(path)
      } catch {}
    }
    pending.clear()
  }
  process.once('exit', removeAll)
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      removeAll()
      process.kill(process.pid, signal) // the default action now: exit with the signal's status
    })
  }
}

export interface AtomicFile extends ByteSink {
  readonly tempPath: string
  /** How the bytes went to the file (see `direct`). */
  readonly io: WriteIo
  /** Closes and gives the file its final name: only now does it appear. */
  commit(): Promise<void>
  /** Closes and removes the temporary file; the final name is never touched. */
  abort(): Promise<void>
}

/** node:crypto loaded on first use, as in createSha256: commands that write nothing never load it. */
function randomSuffix(): string {
  return process.getBuiltinModule('node:crypto').randomBytes(6).toString('hex')
}

/**
 * A file written under a temporary name beside its final one and renamed when complete, so a crash,
 * Ctrl-C or kill never leaves a half-written file under the final name. Without `overwrite`, an existing
 * file is never replaced (hard link + unlink, which fails atomically if the name is taken). `direct`
 * (for outputs of DIRECT_MIN_BYTES or more) writes past the page cache where the system allows it.
 */
export async function createAtomicFile(
  finalPath: string,
  options: { overwrite?: boolean; mode?: number; direct?: boolean } = {},
): Promise<AtomicFile> {
  installCleanup()
  const tempPath = join(dirname(finalPath), `.${basename(finalPath)}.${randomSuffix()}.partial`)
  let writer: SequentialWriter
  try {
    writer = await createWriter(tempPath, options.mode ?? 0o644, options.direct ?? false)
  } catch (cause) {
    throw new AstropackError('IO', `cannot create ${tempPath}: ${(cause as Error).message}`, { cause })
  }
  pending.add(tempPath)
  // A write or close that fails (a full disk, a quota) names the file being written, with a code.
  const writeFailed = (cause: unknown) =>
    new AstropackError('IO', `cannot write ${finalPath}: ${(cause as Error).message}`, { cause })
  let closed = false
  const close = async () => {
    if (closed) return
    closed = true
    await writer.close().catch((cause) => {
      throw writeFailed(cause)
    })
  }
  const abort = async () => {
    await close().catch(() => {})
    await unlink(tempPath).catch(() => {})
    pending.delete(tempPath)
  }
  return {
    tempPath,
    get io() {
      return writer.io
    },
    write: (bytes) =>
      writer.write(bytes).catch((cause) => {
        throw writeFailed(cause)
      }),
    commit: async () => {
      try {
        await close()
      } catch (error) {
        await abort()
        throw error
      }
      try {
        if (options.overwrite) {
          await rename(tempPath, finalPath)
        } else {
          await link(tempPath, finalPath)
          await unlink(tempPath)
        }
      } catch (cause) {
        await abort()
        if ((cause as NodeJS.ErrnoException).code === 'EEXIST') {
          throw new AstropackError('OUTPUT_EXISTS', `${finalPath} exists (use --overwrite to replace it)`, {
            cause,
          })
        }
        throw writeFailed(cause)
      }
      pending.delete(tempPath)
    },
    abort,
  }
}

/**
 * Runs `use` on a new atomic file and commits it when `use` succeeds, aborts it otherwise: the one way
 * outputs are written (packages, unpacked files, exports).
 */
export async function withAtomicFile<T>(
  finalPath: string,
  options: { overwrite?: boolean; mode?: number; direct?: boolean },
  use: (out: AtomicFile) => Promise<T>,
): Promise<T> {
  const out = await createAtomicFile(finalPath, options)
  try {
    const result = await use(out)
    await out.commit()
    return result
  } catch (error) {
    await out.abort()
    throw error
  }
}
