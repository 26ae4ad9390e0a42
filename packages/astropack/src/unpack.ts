import { lstat, realpath, utimes } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { AstropackError, createSha256, isAstropackError } from '@astropack/codecs'
import { type EntryRecord, PackageReader, withReadAhead } from '@astropack/format'
import { type AtomicFile, createAtomicFile, DIRECT_MIN_BYTES, openFile } from '@astropack/format/node'
import { BufferPool } from './buffer-pool.js'
import { type DecodeContext, decodeEntry } from './decode-entry.js'
import { makeFolder } from './folders.js'
import { BoundedTasks, OrderedQueue } from './ordered-queue.js'
import type { Progress } from './progress.js'
import { isInside } from './walk.js'
import { taskRunner } from './workers/codec-pool.js'

export interface UnpackOptions {
  packPath: string
  outputPath: string
  overwrite?: boolean
  threads?: number
  /** Only these entries (and nothing else) are written. Default: all. */
  entries?: string[]
  /**
   * Files of DIRECT_MIN_BYTES or more are written past the page cache where the system allows it
   * (Linux O_DIRECT): much less CPU, and the page cache keeps what it held. Default true.
   */
  directIo?: boolean
  onProgress?: (progress: Progress) => void
}

export interface UnpackResult {
  outputPath: string
  files: number
  bytes: number
  seconds: number
  /** Files written past the page cache (see directIo). */
  directFiles: number
}

/**
 * Unpacks a package into a folder. The index is checked before anything is written; every file is
 * written under a temporary name, its SHA-256 compared with the index, and only then renamed.
 */
export async function unpackPackage(options: UnpackOptions): Promise<UnpackResult> {
  const started = performance.now()
  // Read front to back: small chunks (many small files) come from one read of the next MiB.
  const source = withReadAhead(await openFile(options.packPath))
  try {
    const reader = await PackageReader.open(source, { checkHeader: true })
    const wanted = options.entries ? options.entries.map((path) => reader.entry(path)) : reader.entries
    await makeFolder(options.outputPath)
    const root = await realpath(options.outputPath)
    await preflight(root, wanted, options.overwrite ?? false)
    const total = wanted.reduce((sum, entry) => sum + entry.size, 0)
    const pool = taskRunner(total, 'decode', options.threads)
    const buffers = new BufferPool()
    // One queue for every file: the next file's chunks go to the workers while the last ones of the
    // previous file are written, and each file is checked and renamed in its turn.
    const queue = new OrderedQueue(pool.inFlight)
    const outputs = new OutputFiles(root, options.outputPath, {
      overwrite: options.overwrite ?? false,
      directIo: options.directIo ?? true,
    })
    const commits = new BoundedTasks(COMMITS_IN_FLIGHT)
    const nextFiles = followingFiles(wanted)
    let done = 0
    try {
      for (const [i, entry] of wanted.entries()) {
        if (entry.kind === 'directory') {
          await makeFolder(join(root, ...entry.path.split('/')))
          continue
        }
        const out = await outputs.create(entry, nextFiles[i])
        await unpackFile({ reader, pool, buffers, queue, commits, outputs }, entry, out, (bytes) => {
          done += bytes
          options.onProgress?.({ phase: 'unpack', bytesDone: done, bytesTotal: total, entry: entry.path })
        })
      }
      await queue.drain()
      await commits.settle()
      // Folder times last: writing files into a folder changes its mtime.
      for (const entry of wanted) {
        if (entry.kind === 'directory') {
          const date = new Date(entry.mtimeMs)
          await utimes(join(root, ...entry.path.split('/')), date, date)
        }
      }
    } catch (error) {
      // Files still being written when something failed are removed, never left half-written.
      await commits.settle().catch(() => {})
      await outputs.abortAll()
      throw inEntry(error, reader, wanted)
    } finally {
      await pool.close()
    }
    const files = wanted.filter((entry) => entry.kind === 'file').length
    const seconds = (performance.now() - started) / 1000
    return { outputPath: root, files, bytes: total, seconds, directFiles: outputs.directFiles }
  } finally {
    await source.close?.()
  }
}

/**
 * A damaged chunk's error, named after the file it stopped: the first one in unpack order that uses the
 * chunk at the error's offset (the files before it were checked and kept).
 */
function inEntry(error: unknown, reader: PackageReader, entries: readonly EntryRecord[]): unknown {
  if (!isAstropackError(error) || error.offset === undefined) return error
  const entry = entries.find(
    (entry) =>
      entry.kind === 'file' &&
      reader.chunkIndexes(entry).some((index) => reader.chunks[index]!.offset === error.offset),
  )
  if (!entry) return error
  return new AstropackError(error.code, `${entry.path}: ${error.message}`, {
    cause: error,
    offset: error.offset,
  })
}

/** For each entry, the next file entry after it. */
function followingFiles(entries: readonly EntryRecord[]): (EntryRecord | undefined)[] {
  const next: (EntryRecord | undefined)[] = []
  let following: EntryRecord | undefined
  for (let i = entries.length - 1; i >= 0; i--) {
    next[i] = following
    if (entries[i]!.kind === 'file') following = entries[i]
  }
  return next
}

/**
 * The files being unpacked, each created (its folder made and checked, its temporary file opened) while
 * the one before it is written: a small file's unpack is otherwise mostly waiting for the file system.
 * Each folder is made and checked once, not once per file: a resolved path costs a readlink per
 * component, and 3,584 small files made 35,868 of them.
 */
class OutputFiles {
  /** Temporary files not yet renamed: removed if the unpack fails. */
  readonly #open = new Set<AtomicFile>()
  readonly #checked = new Set<string>()
  directFiles = 0
  #ahead: { entry: EntryRecord; out: Promise<AtomicFile> } | undefined

  constructor(
    readonly root: string,
    readonly shown: string,
    readonly options: { overwrite: boolean; directIo: boolean },
  ) {}

  /** The temporary file of `entry`, open; starts creating the one of `next`. */
  create(entry: EntryRecord, next: EntryRecord | undefined): Promise<AtomicFile> {
    const out = this.#ahead?.entry === entry ? this.#ahead.out : this.#start(entry)
    this.#ahead = next && { entry: next, out: this.#start(next) }
    return out
  }

  /** Gives a written and checked file its times and its name. */
  async commit(out: AtomicFile, entry: EntryRecord): Promise<void> {
    const date = new Date(entry.mtimeMs)
    await utimes(out.tempPath, date, date)
    await out.commit()
    this.#open.delete(out)
    if (out.io !== 'buffered') this.directFiles++
  }

  async abortAll(): Promise<void> {
    await this.#ahead?.out.catch(() => {})
    await Promise.all([...this.#open].map((out) => out.abort()))
  }

  #start(entry: EntryRecord): Promise<AtomicFile> {
    const target = join(this.root, ...entry.path.split('/'))
    const out = this.#folder(dirname(target), entry.path).then(() =>
      createAtomicFile(target, {
        overwrite: this.options.overwrite,
        mode: entry.mode & 0o777,
        direct: this.options.directIo && entry.size >= DIRECT_MIN_BYTES,
      }),
    )
    // Known to abortAll once open; an error is thrown when its turn comes.
    out.then((file) => this.#open.add(file)).catch(() => {})
    return out
  }

  async #folder(folder: string, entryPath: string): Promise<void> {
    if (this.#checked.has(folder)) return
    await makeFolder(folder)
    // The folder just made must still be inside the output: nothing may have swapped in a symlink.
    if (!isInside(this.root, await realpath(folder))) {
      throw new AstropackError('UNSAFE_PATH', `${entryPath} would be written outside ${this.shown}`)
    }
    this.#checked.add(folder)
  }
}

/**
 * Refuses, before writing anything, to replace existing files or to follow a symlink in the output folder.
 * Each folder on the way is looked at once, not once per file in it.
 */
async function preflight(root: string, entries: readonly EntryRecord[], overwrite: boolean): Promise<void> {
  const existing: string[] = []
  const folders = new Map<string, 'folder' | 'absent'>()
  for (const entry of entries) {
    const parts = entry.path.split('/')
    for (let i = 1; i <= parts.length; i++) {
      const path = join(root, ...parts.slice(0, i))
      const last = i === parts.length
      const known = last ? undefined : folders.get(path)
      if (known === 'absent') break
      if (known === 'folder') continue
      const info = await lstat(path).catch(() => undefined)
      if (!last) folders.set(path, info ? 'folder' : 'absent')
      if (!info) break
      if (info.isSymbolicLink() && !(last && overwrite && entry.kind === 'file')) {
        throw new AstropackError(
          'UNSAFE_PATH',
          `${path} is a symlink: refusing to unpack ${entry.path} through it`,
        )
      }
      if (!last && !info.isDirectory()) {
        throw new AstropackError(
          'OUTPUT_EXISTS',
          `${path} exists and is not a folder (needed for ${entry.path})`,
        )
      }
      if (last && entry.kind === 'file' && (info.isDirectory() || !overwrite)) existing.push(entry.path)
    }
  }
  if (existing.length > 0) {
    const list =
      existing.slice(0, 3).join(', ') + (existing.length > 3 ? ` and ${existing.length - 3} more` : '')
    throw new AstropackError('OUTPUT_EXISTS', `would overwrite ${list} (use --overwrite to replace)`)
  }
}

/**
 * Queues an entry's bytes into `out` (a temporary file) and, after them, the check of its SHA-256 and
 * its rename: a file appears under its name only once all of it is written and verified.
 */
async function unpackFile(
  context: DecodeContext & { queue: OrderedQueue; commits: BoundedTasks; outputs: OutputFiles },
  entry: EntryRecord,
  out: AtomicFile,
  onBytes: (bytes: number) => void,
): Promise<void> {
  const hash = createSha256()
  await decodeEntry(context, entry, async (bytes) => {
    // The write runs on libuv's threads while this one hashes the same bytes: unpacking the 5 GiB table
    // took 13.0-14.9 s one after the other, 12.0-13.5 so (interleaved runs).
    const written = out.write(bytes)
    hash.update(bytes)
    await written
    onBytes(bytes.byteLength)
  })
  await context.queue.push(
    Promise.resolve(async () => {
      const actual = hash.digestHex()
      if (actual !== entry.sha256) {
        throw new AstropackError(
          'CHECKSUM_MISMATCH',
          `${entry.path}: SHA-256 ${actual} does not match ${entry.sha256}`,
        )
      }
      // Its times, close and rename run beside the next files' writes (small files: mostly waiting).
      await context.commits.add(() => context.outputs.commit(out, entry))
    }),
  )
}

/** Files whose close and rename may be under way at once (each holds a file descriptor till then). */
const COMMITS_IN_FLIGHT = 8
