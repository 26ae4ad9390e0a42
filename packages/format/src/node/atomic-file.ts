import { unlinkSync } from 'node:fs'
import { type FileHandle, link, open, rename, unlink } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { AstropackError } from '../errors.js'
import type { ByteSink } from '../writer.js'

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
 * file is never replaced (hard link + unlink, which fails atomically if the name is taken).
 */
export async function createAtomicFile(
  finalPath: string,
  options: { overwrite?: boolean; mode?: number } = {},
): Promise<AtomicFile> {
  installCleanup()
  const tempPath = join(dirname(finalPath), `.${basename(finalPath)}.${randomSuffix()}.partial`)
  let handle: FileHandle
  try {
    handle = await open(tempPath, 'wx', options.mode ?? 0o644)
  } catch (cause) {
    throw new AstropackError('IO', `cannot create ${tempPath}: ${(cause as Error).message}`, { cause })
  }
  pending.add(tempPath)
  let closed = false
  const close = async () => {
    if (closed) return
    closed = true
    await handle.close()
  }
  const abort = async () => {
    await close().catch(() => {})
    await unlink(tempPath).catch(() => {})
    pending.delete(tempPath)
  }
  return {
    tempPath,
    write: async (bytes) => {
      let done = 0
      while (done < bytes.byteLength) {
        const { bytesWritten } = await handle.write(bytes, done, bytes.byteLength - done)
        done += bytesWritten
      }
    },
    commit: async () => {
      await close()
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
        throw new AstropackError('IO', `cannot write ${finalPath}: ${(cause as Error).message}`, { cause })
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
  options: { overwrite?: boolean; mode?: number },
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
