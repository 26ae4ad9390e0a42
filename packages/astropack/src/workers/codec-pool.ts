import { availableParallelism } from 'node:os'
import type { Worker } from 'node:worker_threads'
import { AstropackError, type CodecName, type ErrorCode, type TransformStep } from '@astropack/codecs'
import type { ColumnSlice, RowPrediction } from '@astropack/format/layouts'
import type { MetricSpec, Metrics } from '../layouts/metrics.js'
import type { EncodedPart } from './chunk-ops.js'
import { detachResult, runTask, taskBuffers } from './run-task.js'

type Task<T> = T & { id: number }

/** The work a codec worker does; see chunk-ops.ts. */
export type CodecTask = Task<
  | {
      op: 'encode'
      codec: CodecName
      level: number
      data: Uint8Array
      into?: Uint8Array
      /** Transform chains to try, or 'probe' to pick one from a sample (data of unknown layout). */
      candidates: TransformStep[][] | 'probe'
      /** Table columns stored in these bytes to measure: whole values at data[start, end). */
      measure?: ColumnRange[]
    }
  | {
      op: 'encodeRows'
      codec: CodecName
      level: number
      data: Uint8Array
      rowWidth: number
      columns: ColumnSlice[]
      candidates: (TransformStep[][] | 'probe')[]
      /** Where the column frames go, one after another (see groupFrameBound). */
      into: Uint8Array
      /** Columns to measure (quality metrics), by column. */
      metrics?: (MetricSpec | undefined)[]
      /** Measure only the group's first rows (the rest lie past the table's end: an HDF5 chunk's padding). */
      measuredRows?: number
      /** Levels an earlier group chose, by column (else `level`). */
      levels?: number[]
      /** Columns an earlier group stored as predicted, and how (else this group searches). */
      predictions?: RowPrediction[]
      /** `data` holds the group's columns one after another, not its rows (a column-major segment). */
      columnMajor?: boolean
    }
  | {
      op: 'encodeText'
      codec: CodecName
      level: number
      data: Uint8Array
      delimiter: number
      columnCount: number
      /** A fixed-width table's delimiter positions within a line (see splitTextGroup). */
      separators?: number[]
      /** Where the column frames go, one after another, as far as they fit. */
      into: Uint8Array
      /** Columns that hold right ascension or declination (range-checked in the metrics). */
      ranges?: ('ra' | 'dec' | undefined)[]
      /** Chains an earlier group chose, by column: used again for a column of the same kind. */
      chosen?: (TextColumnChain | undefined)[]
      /** Classify the fields as the table's reader would, for columns without a type. */
      kinds?: boolean
    }
  | {
      op: 'decodeText'
      parts: { codec: CodecName; rawSize: number; data: Uint8Array; steps: TransformStep[] }[]
      delimiter: number
      /** Where the group's text goes when it fits. */
      into?: Uint8Array
    }
  | {
      op: 'decode'
      codec: CodecName
      rawSize: number
      data: Uint8Array
      into?: Uint8Array
      steps: TransformStep[]
    }
  | {
      op: 'decodeRows'
      parts: { codec: CodecName; rawSize: number; data: Uint8Array; steps: TransformStep[] }[]
      rowWidth: number
      columns: ColumnSlice[]
      rowCount: number
      into?: Uint8Array
    }
  | {
      /** One column of a group (see decodeColumn): `parts` its chunk, or the group's when it has sources. */
      op: 'decodeColumn'
      parts: { codec: CodecName; rawSize: number; data: Uint8Array; steps: TransformStep[] }[]
      slot: number
      widths: number[]
      rowCount: number
      into?: Uint8Array
    }
>

/** A text-table column's kind (its chunk's first byte) and the chain chosen for it. */
export interface TextColumnChain {
  kind: number
  steps: TransformStep[]
  /** The codec level the column is encoded at. */
  level: number
  /** A ranked column's source and shift (SPEC §7.2 kind 9), for the groups after the first. */
  ranked?: { source: number; shift: number }
}

/** Bytes of one table column within a task's data, whole values only, and how to measure them. */
export interface ColumnRange {
  start: number
  end: number
  spec: MetricSpec
}

export interface CodecTaskResult {
  id: number
  /** Decoded bytes (decode operations). */
  data?: Uint8Array
  /** Encoded chunks (encode operations), one per column for rows. */
  parts?: EncodedPart[]
  /** encode (per `measure` range), encodeRows, encodeText: each measured column's metrics for the group. */
  metrics?: (Metrics | undefined)[]
  /**
   * encodeText with `kinds`: each column's field kinds (the readers' kindBit bits), or undefined when the
   * reader would refuse the group.
   */
  kinds?: Uint16Array | undefined
  /** encodeText: the group's lines, and each column's kind and chain. */
  lines?: number
  chains?: TextColumnChain[]
  /** encodeRows, encodeText: feature bits the group's chunks need of readers (FEATURE_TEXT_KINDS, ...). */
  features?: number
  /** encodeRows: the columns it stored as predicted, and how. */
  predictions?: RowPrediction[]
  /** The task's buffers (`data`, `into`) handed back whole, for the caller to reuse once done with the result. */
  returned: Uint8Array[]
}

type Pending = { resolve: (result: CodecTaskResult) => void; reject: (error: Error) => void }
type TaskInput = CodecTask extends infer T ? (T extends CodecTask ? Omit<T, 'id'> : never) : never

/**
 * V8 lets a worker's heap grow far past what it holds live before collecting; capping it keeps packing
 * within bounds (typing the Tycho-2 CSV: 408 -> 254 MiB peak RSS at 96 MB; a 768 MiB CSV of JPL copies:
 * 243-260 MiB at 96 MB, 208-220 at 64, the corpus at the same speed). A task's live heap stays well under
 * this (packing still works at 24 MB): text groups are handled as bytes, only float64 fields become
 * strings, one at a time.
 */
const WORKER_HEAP = { maxOldGenerationSizeMb: 64, maxYoungGenerationSizeMb: 8 }

export function defaultThreads(): number {
  return availableParallelism()
}

/** What runs codec tasks: worker threads, or this thread for small inputs. */
export interface TaskRunner {
  /** How many pieces of work callers keep in flight: pushed to their OrderedQueue, not yet applied. */
  readonly inFlight: number
  run(input: TaskInput, transfer?: ArrayBuffer[]): Promise<CodecTaskResult>
  close(): Promise<void>
}

/**
 * Below this many bytes of input, tasks run on this thread. Each worker costs its start (~100 ms) and its
 * own warm-up of the compiled code (a second copy of the JIT's work), which parallel coding must win back,
 * and decoding does less work per byte than encoding, so it wins it back later. Measured on 2 cores against
 * 2 workers, wall seconds (user CPU):
 * - decode: a 39 MB FITS table unpacks in 0.28-0.37 against 0.50-0.53 (0.26 against 0.45), a 57 MiB CSV in
 *   0.59-0.66 against 0.64-0.81 (0.60-0.70 against 1.01-1.26); the 141 MB astrometry.net index validates
 *   (--full) in 0.47-0.52 against 0.55-0.62; the 481 MiB corpus wants the workers (1.90-2.02 against
 *   2.43-2.59).
 * - encode: the 39 MB FITS table packs in 0.57-0.66 against 0.68-0.76, a 39 MB HDF5 table in 0.41-0.47
 *   against 0.46-0.56; a 57 MiB CSV wants the workers (1.00-1.10 against 1.12-1.24).
 * With more cores the workers win back their cost sooner: the bounds shrink with them (an estimate, not
 * measured on more than 2).
 */
export function inlineBytes(work: 'encode' | 'decode', cores = defaultThreads()): number {
  const onTwoCores = work === 'encode' ? 48 : 128
  return Math.max(8, Math.floor((2 * onTwoCores) / Math.max(2, cores))) * 1024 * 1024
}

/**
 * `threads` worker threads when asked for; by default, one per core, or this thread alone when the input
 * is under inlineBytes(work).
 */
export function taskRunner(bytes: number, work: 'encode' | 'decode', threads?: number): TaskRunner {
  if (threads !== undefined) return new CodecPool(work, threads)
  return bytes < inlineBytes(work) ? new InlineRunner() : new CodecPool(work, defaultThreads())
}

/** Tasks run one after another on this thread, with the same results a worker gives. */
export class InlineRunner implements TaskRunner {
  /**
   * One: each piece is read, coded and written before the next is read. Three in flight overlapped
   * writing with coding but took more buffers, each of them new memory to fault in, which cost more (see
   * "new memory" in BENCHMARKS.md). Against three, 4-5 runs each, interleaved: a 39 MB FITS table
   * unpacks in 0.61-0.70 s against 0.72-0.78 (11-11.2K page faults against 14.7-15.4K) and packs in
   * 0.96-1.04 against 1.06-1.15; a 40 MB gzip file unpacks in 0.32-0.43 against 0.37-0.49.
   */
  readonly inFlight = 1
  #nextId = 0

  async run(input: TaskInput): Promise<CodecTaskResult> {
    const task = { ...input, id: this.#nextId++ } as CodecTask
    const returned = taskBuffers(task)
    const result = { id: task.id, ...(await runTask(task)), returned }
    detachResult(result, returned)
    return result
  }

  async close(): Promise<void> {}
}

/** A fixed set of worker threads running codec tasks; inputs are transferred, not copied. */
export class CodecPool implements TaskRunner {
  /**
   * Encoding: two pieces of work a worker (so one slow piece, such as a segment's first chunk trying every
   * chain, leaves its results waiting but the workers busy: corpus pack 4.0-4.2 -> 3.8 s against one each)
   * and one more being read or written (a second one only raised the corpus pack's peak RSS, 234-248 ->
   * 248-259 MiB, at the same speed). Decoding: one a worker and one more; each more is buffers of new
   * memory. Corpus unpack on 2 workers, 3 runs each: 2.43-2.47 s with 3 in flight, 2.45-2.59 with 4,
   * 2.50-2.63 with 5, 2.52-2.66 with 2; the builds with 3 and 5, interleaved: 2.57-2.72 against
   * 2.55-2.74 s, 43-46K page faults against 48-49K (validate --full alike).
   */
  readonly inFlight: number
  readonly #idle: Worker[] = []
  readonly #workers: Worker[] = []
  readonly #queue: { task: CodecTask; transfer: ArrayBuffer[] }[] = []
  readonly #pending = new Map<number, Pending>()
  #nextId = 0

  constructor(work: 'encode' | 'decode', threads = defaultThreads()) {
    if (!Number.isInteger(threads) || threads < 1)
      throw new AstropackError('USAGE', `threads must be >= 1, got ${threads}`)
    this.inFlight = work === 'encode' ? 2 * threads + 1 : threads + 1
    // Loaded here, not imported: node:worker_threads costs every start ~5 ms, and most small runs need none.
    const { Worker } = process.getBuiltinModule('node:worker_threads')
    for (let i = 0; i < threads; i++) {
      const worker = new Worker(new URL('./codec-worker.js', import.meta.url), {
        resourceLimits: WORKER_HEAP,
      })
      worker.on('message', (message) => this.#settle(worker, message))
      worker.on('error', (error) => this.#fail(worker, error))
      this.#workers.push(worker)
      this.#idle.push(worker)
    }
  }

  /** Runs a task; the buffers in `transfer` move to the worker (the caller must not touch them again). */
  run(input: TaskInput, transfer: ArrayBuffer[] = []): Promise<CodecTaskResult> {
    const task = { ...input, id: this.#nextId++ } as CodecTask
    const promise = new Promise<CodecTaskResult>((resolve, reject) =>
      this.#pending.set(task.id, { resolve, reject }),
    )
    this.#queue.push({ task, transfer })
    this.#dispatch()
    return promise
  }

  #dispatch(): void {
    while (this.#idle.length > 0 && this.#queue.length > 0) {
      const worker = this.#idle.pop()!
      const { task, transfer } = this.#queue.shift()!
      worker.postMessage(task, transfer)
    }
  }

  #settle(worker: Worker, message: CodecTaskResult & { error?: { code: ErrorCode; message: string } }): void {
    const pending = this.#pending.get(message.id)
    this.#pending.delete(message.id)
    this.#idle.push(worker)
    if (message.error) pending?.reject(new AstropackError(message.error.code, message.error.message))
    else pending?.resolve(message)
    this.#dispatch()
  }

  /** A worker that dies takes the pool with it: every waiting task is rejected, none is left hanging. */
  #fail(_worker: Worker, error: Error): void {
    for (const pending of this.#pending.values()) {
      pending.reject(new AstropackError('IO', `codec worker failed: ${error.message}`))
    }
    this.#pending.clear()
    this.#queue.length = 0
    this.#idle.length = 0
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((worker) => worker.terminate()))
  }
}
