import { basename } from 'node:path'
import { type CodecName, createSha256, type Sha256 } from '@astropack/codecs'
import type { PackageWriter } from '@astropack/format'
import { fixedLinesEnd, type RowPrediction } from '@astropack/format/layouts'
import { csvRecordCount } from '@astropack/readers/csv-kinds'
import { type BufferPool, frameBound, pooledSize } from './buffer-pool.js'
import { type Choice, FirstPick, initial, NO_PICK, next } from './first-pick.js'
import {
  ColumnMeter,
  columnMetrics,
  emptyMetrics,
  type Metrics,
  mergeMetrics,
  positionKind,
} from './layouts/metrics.js'
import { type PlannedSegment, planFile } from './layouts/plan.js'
import { OPAQUE, type TableSchema } from './layouts/segments.js'
import { TextTableKinds } from './layouts/text-types.js'
import type { OrderedQueue } from './ordered-queue.js'
import type { SourceFile } from './source-file.js'
import { tableReader } from './version.js'
import type { SourceEntry } from './walk.js'
import { groupFrameBound } from './workers/chunk-ops.js'
import type { CodecTaskResult, ColumnRange, TaskRunner, TextColumnChain } from './workers/codec-pool.js'

/** What packing one file needs: shared by every file of a pack. */
export interface PackContext {
  pool: TaskRunner
  writer: PackageWriter
  queue: OrderedQueue
  buffers: BufferPool
  codec: CodecName
  level: number
  chunkSize: number
  onBytes: (bytes: number, entry: string) => void
  /** Tables the readers recognised, for the manifest. */
  tables: ({ entry: string } & TableSchema)[]
  /**
   * Chunks written so far, by their stored bytes' digest, raw size, codec and chain: a chunk encoded the
   * same (the same table columns in a CSV and a TSV, or in two FITS files that differ in a header card) is
   * recorded again instead of stored twice (SPEC §5.2 lets records share stored bytes).
   */
  storedChunks: Map<string, number>
}

/** The first bytes of a file, which tell its format. */
const HEAD_SIZE = 2880

/**
 * Packs one file: plans its segments (typed where a reader recognises the layout), reads them in order,
 * hashes on this thread and encodes on the workers. The first chunk of a segment (or group of a table)
 * picks its transform chains on a sample; that pick serves the rest (see FirstPick).
 */
export async function packFile(context: PackContext, entry: SourceEntry, file: SourceFile): Promise<string> {
  const { writer, queue } = context
  const plan = await planFile(file, file.head(HEAD_SIZE))
  await queue.push(
    Promise.resolve(() => writer.beginFile({ path: entry.path, mode: entry.mode, mtimeMs: entry.mtimeMs })),
  )
  const hash = createSha256()
  const hasTables = plan.some((segment) => segment.layout !== 'bytes')
  // The manifest's record of each table: its own copy, which packing fills in (metrics, text row count),
  // listed when its segment (or its first column stored on its own) is met.
  const records = new Map<TableSchema, PackContext['tables'][number]>()
  const record = (schema: TableSchema) => {
    let table = records.get(schema)
    if (!table) {
      table = {
        entry: entry.path,
        ...schema,
        reader: tableReader(schema.source),
        columns: schema.columns.map((c) => ({ ...c })),
      }
      records.set(schema, table)
      context.tables.push(table)
    }
    return table
  }
  for (const segment of plan) {
    if (segment.layout === 'rows')
      await packRows(context, file, entry, segment, hash, segment.table && record(segment.table))
    else if (segment.layout === 'text') {
      const table = record(segment.table)
      await packText(context, file, entry, segment, hash, table)
    } else {
      if (hasTables) await queue.push(Promise.resolve(() => writer.beginSegment({ layout: 'bytes' })))
      const meters = await packBytes(context, file, entry, segment, hash)
      const tables = segment.columns?.map((column) => record(column.table))
      // After the segment's chunks are applied, with their workers' measurements.
      await queue.push(
        Promise.resolve(() =>
          segment.columns?.forEach((column, c) => {
            const meter = meters[c]
            if (meter) tables![c]!.columns[column.tableColumn]!.metrics = meter.result()
          }),
        ),
      )
    }
  }
  await file.checkUnchanged()
  const sha256 = hash.digestHex()
  await queue.push(Promise.resolve(() => writer.endFile(sha256)))
  return sha256
}

/**
 * Adds a file identical to the earlier file `original` (see SameFiles) as records of its chunks, with a
 * copy of its tables in the manifest (a delimited table, named after its file, takes the copy's name).
 */
export async function repeatFile(context: PackContext, entry: SourceEntry, original: string): Promise<void> {
  await context.queue.push(
    Promise.resolve(() => {
      context.writer.repeatFile({ path: entry.path, mode: entry.mode, mtimeMs: entry.mtimeMs }, original)
      for (const table of context.tables.filter((t) => t.entry === original)) {
        context.tables.push({
          ...table,
          entry: entry.path,
          name: table.name === basename(original) ? basename(entry.path) : table.name,
          columns: table.columns.map((column) => ({ ...column })),
        })
      }
      context.onBytes(entry.size, entry.path)
    }),
  )
}

/**
 * Packs a bytes segment chunk by chunk. Table columns stored in it (HDF5 datasets) are measured by the
 * workers, each on the whole values of the chunk it encodes; returns their meters (undefined for
 * unmeasured columns), complete once the queue has applied the segment's chunks.
 */
async function packBytes(
  context: PackContext,
  file: SourceFile,
  entry: SourceEntry,
  segment: Extract<PlannedSegment, { layout: 'bytes' }>,
  hash: Sha256,
): Promise<(ColumnMeter | undefined)[]> {
  const { pool, buffers, queue, chunkSize } = context
  const columns = segment.columns ?? []
  const meters = columns.map((column) => (column.metric ? new ColumnMeter(column.metric) : undefined))
  const candidates = initial(segment.candidates)
  const pick = candidates !== 'probe' && candidates.length > 1 ? new FirstPick<Choice>() : undefined
  for (let position = segment.start; position < segment.end; position += chunkSize) {
    const { chosen, first } = (await pick?.next()) ?? NO_PICK
    const length = Math.min(chunkSize, segment.end - position)
    const buffer = buffers.take(pooledSize(length))
    const raw = buffer.subarray(0, length)
    await file.readInto(raw, position)
    hash.update(raw)
    const measure: ColumnRange[] = []
    const measuring: ColumnMeter[] = []
    columns.forEach((column, c) => {
      const meter = meters[c]
      const from = Math.max(column.start, position) - position
      const to = Math.min(column.end, position + length) - position
      if (!meter || to <= from) return
      const { start, end } = meter.take(raw.subarray(from, to))
      if (end > start) {
        measure.push({ start: from + start, end: from + end, spec: meter.spec })
        measuring.push(meter)
      }
    })
    const into = buffers.take(pooledSize(frameBound(length)))
    const task = {
      op: 'encode' as const,
      codec: context.codec,
      level: chosen?.level ?? context.level,
      data: raw,
      into,
      candidates: chosen?.candidates ?? candidates,
      ...(measure.length > 0 ? { measure } : {}),
    }
    const encoded = pool.run(task, [buffer.buffer, into.buffer])
    if (first) pick!.decide(encoded.then((result) => next(candidates, result.parts![0]!)))
    await queue.push(
      encoded.then((result) => async () => {
        result.metrics?.forEach((metrics, i) => {
          if (metrics) measuring[i]!.add(metrics)
        })
        await writeParts(context, result, entry.path)
      }),
    )
  }
  return meters
}

/** Hashes file bytes [start, end) in order, a chunk's worth at a time. */
async function hashRange(
  { buffers, chunkSize }: PackContext,
  file: SourceFile,
  start: number,
  end: number,
  hash: Sha256,
): Promise<void> {
  const buffer = buffers.take(pooledSize(Math.min(chunkSize, end - start)))
  for (let at = start; at < end; at += chunkSize) {
    const piece = buffer.subarray(0, Math.min(chunkSize, end - at))
    await file.readInto(piece, at)
    hash.update(piece)
  }
  buffers.give(buffer)
}

async function packRows(
  context: PackContext,
  file: SourceFile,
  entry: SourceEntry,
  segment: Extract<PlannedSegment, { layout: 'rows' }>,
  hash: Sha256,
  table: TableSchema | undefined,
): Promise<void> {
  const { pool, buffers, queue, writer, chunkSize } = context
  const { rowWidth, rowCount, columnMajor } = segment
  const rowsPerGroup = Math.max(1, Math.floor(chunkSize / rowWidth))
  const columns = segment.columns.map(({ offset, width }) => ({ offset, width }))
  const layout = { layout: 'rows' as const, rowWidth, rowCount, rowsPerGroup, columns }
  await queue.push(
    Promise.resolve(() => writer.beginSegment(columnMajor ? { ...layout, columnMajor } : layout)),
  )
  // A group's bytes are not one run of the file here: the segment is hashed in order first.
  if (columnMajor) await hashRange(context, file, segment.start, segment.end, hash)
  const candidates = segment.columns.map((column) => initial(column.candidates))
  // Probed columns too: their first groups choose a level for the others.
  const choosing = candidates.some((list) => list === 'probe' || list.length > 1)
  const pick = choosing ? new FirstPick<RowsPick>() : undefined
  const specs = segment.columns.map((column) => column.metric)
  // A table over several segments (a chunked HDF5 dataset's runs) is measured across them, in order.
  const measured =
    (table && acrossSegments.get(table)) ?? specs.map((spec) => (spec ? emptyMetrics() : undefined))
  if (table) acrossSegments.set(table, measured)
  // A chunked HDF5 table's rows end before its last chunk does: only the table's rows are measured.
  const tableRows =
    table?.rows === undefined
      ? rowCount
      : Math.max(0, Math.min(rowCount, table.rows - (segment.firstTableRow ?? 0)))
  for (let first = 0; first < rowCount; first += rowsPerGroup) {
    const { chosen, first: isFirst } = (await pick?.next()) ?? NO_PICK
    const rows = Math.min(rowsPerGroup, rowCount - first)
    const buffer = buffers.take(pooledSize(rows * rowWidth))
    const data = buffer.subarray(0, rows * rowWidth)
    if (columnMajor) {
      // The group's slice of each column, one after another.
      for (const { offset, width } of columns) {
        const at = segment.start + offset * rowCount + first * width
        await file.readInto(data.subarray(offset * rows, (offset + width) * rows), at)
      }
    } else {
      await file.readInto(data, segment.start + first * rowWidth)
      hash.update(data)
    }
    const task = {
      op: 'encodeRows' as const,
      codec: context.codec,
      level: context.level,
      data,
      rowWidth,
      columns,
      candidates: chosen?.choices.map((choice) => choice.candidates) ?? candidates,
      into: buffers.take(pooledSize(groupFrameBound(data.byteLength, columns.length))),
      metrics: specs,
      ...(tableRows < first + rows ? { measuredRows: Math.max(0, tableRows - first) } : {}),
      ...(columnMajor ? { columnMajor } : {}),
      ...(chosen
        ? { levels: chosen.choices.map((choice) => choice.level), predictions: chosen.predictions }
        : {}),
    }
    const encoded = pool.run(task, [buffer.buffer, task.into.buffer])
    if (isFirst)
      pick!.decide(
        encoded.then(({ parts, predictions }) => ({
          choices: candidates.map((list, c) => next(list, parts![c]!)),
          predictions: predictions ?? [],
        })),
      )
    await queue.push(
      encoded.then((result) => async () => {
        writer.requireFeatures(result.features ?? 0)
        // Merged in group order (the queue's), so the metrics do not depend on worker timing.
        result.metrics?.forEach((group, c) => {
          if (group && measured[c]) measured[c] = mergeMetrics(measured[c], group)
        })
        await writeParts(context, result, entry.path)
      }),
    )
  }
  await queue.push(
    Promise.resolve(() => {
      segment.columns.forEach(({ metric, tableColumn }, c) => {
        const column = tableColumn === undefined ? undefined : table?.columns[tableColumn]
        if (metric && column && measured[c]) column.metrics = columnMetrics(measured[c], metric)
      })
    }),
  )
}

/** What a rows segment's first group leaves to the later ones: chains and levels, and predicted columns. */
interface RowsPick {
  choices: Choice[]
  predictions: RowPrediction[]
}

/** The metrics so far of tables whose rows lie in several segments, by the manifest's table. */
const acrossSegments = new WeakMap<object, (Metrics | undefined)[]>()

/**
 * Text is read in groups of about this many bytes (1 MiB groups lost 5% of ratio on the Tycho-2 CSV).
 * Workers turn one column of a group at a time into strings, which bounds their heap.
 */
const TEXT_GROUP_BYTES = 4 * 1024 * 1024

/** A group (kept whole if need be) must fit one chunk (64 MiB); lines longer than this end the table. */
const MAX_GROUP_BYTES = 32 * 1024 * 1024

async function packText(
  context: PackContext,
  file: SourceFile,
  entry: SourceEntry,
  segment: Extract<PlannedSegment, { layout: 'text' }>,
  hash: Sha256,
  table: TableSchema,
): Promise<void> {
  const { pool, buffers, queue, writer } = context
  const { delimiter, columnCount, fixed } = segment
  let lines = 0
  const ranges = table.columns.map((column) => positionKind(column.name, undefined))
  // Types as the reader infers them, for columns whose header gave none (CSV, TSV, fixed-width).
  const kinds = table.columns.every((column) => column.type === undefined)
    ? new TextTableKinds(columnCount, { delimiter, fixedWidth: fixed !== undefined })
    : undefined
  // Undefined once a group cannot be measured (kept raw: quotes, CR, ragged lines): no metrics then.
  let measured: Metrics[] | undefined = ranges.map(() => emptyMetrics())
  await queue.push(Promise.resolve(() => writer.beginSegment({ layout: 'text', delimiter, columnCount })))
  let position = segment.start
  let readSize = TEXT_GROUP_BYTES
  // The first group's chains serve the rest, per column while its kind stays the same (a group that picks
  // by sample simply gets none).
  const pick = new FirstPick<TextColumnChain[]>()
  while (position < segment.end) {
    const pieceSize = Math.min(readSize, segment.end - position)
    const buffer = buffers.take(pooledSize(pieceSize))
    const piece = buffer.subarray(0, pieceSize)
    await file.readInto(piece, position)
    // A group ends at the last newline read (the segment itself ends with one), and a fixed-width table's
    // before its first line without the table's separators.
    let groupEnd = piece.lastIndexOf(10) + 1
    if (fixed) groupEnd = fixedLinesEnd(piece.subarray(0, groupEnd), delimiter, fixed.separators, fixed.crlf)
    if (groupEnd === 0) {
      const tableEnds = fixed !== undefined && piece.includes(10)
      buffers.give(buffer)
      if (readSize >= MAX_GROUP_BYTES || tableEnds) {
        // Not a table after all (a huge line), or a fixed-width table's end: the rest goes as plain bytes.
        await queue.push(Promise.resolve(() => writer.beginSegment({ layout: 'bytes' })))
        const rest = { layout: 'bytes' as const, start: position, end: segment.end, candidates: OPAQUE }
        await packBytes(context, file, entry, rest, hash)
        // After a huge line the table's rows go on unmeasured; a fixed-width table has ended.
        if (!tableEnds) {
          measured = undefined
          kinds?.lose()
        }
        break
      }
      readSize *= 2
      continue
    }
    const data = piece.subarray(0, groupEnd)
    hash.update(data)
    position += groupEnd
    const { chosen, first } = await pick.next()
    const task = {
      op: 'encodeText' as const,
      codec: context.codec,
      level: context.level,
      data,
      delimiter,
      columnCount,
      ...(fixed ? { separators: fixed.separators } : {}),
      into: buffers.take(pooledSize(groupFrameBound(data.byteLength, columnCount))),
      ranges,
      ...(chosen ? { chosen } : {}),
      ...(kinds ? { kinds: true } : {}),
    }
    const encoded = pool.run(task, [buffer.buffer, task.into.buffer])
    if (first) pick.decide(encoded.then((result) => result.chains!))
    await queue.push(
      encoded.then((result) => async () => {
        writer.requireFeatures(result.features ?? 0)
        lines += result.lines!
        kinds?.add(result.kinds)
        const group = result.metrics
        measured =
          measured && group?.every((m) => m !== undefined)
            ? measured.map((sum, c) => mergeMetrics(sum, group[c]!))
            : undefined
        await writeParts(context, result, entry.path, groupEnd)
      }),
    )
  }
  // The bytes after the table's last line (blank lines, a last line without a newline): the CSV reader
  // reads a row there, the fixed-width reader none.
  let tailRows = 0
  if (position === segment.end && segment.end < file.byteLength) {
    const tail = await file.slice(segment.end, file.byteLength)
    if (!fixed) tailRows = csvRecordCount(tail, delimiter) ?? 0
    kinds?.addTail(tail)
  }
  await queue.push(
    Promise.resolve(() => {
      table.rows = lines + tailRows
      kinds?.types()?.forEach((type, c) => {
        table.columns[c]!.type = type
      })
      measured?.forEach((metrics, c) => {
        const column = table.columns[c]
        if (column) column.metrics = columnMetrics(metrics, { range: ranges[c] })
      })
    }),
  )
}

/**
 * Writes a task's encoded chunks in order, then gives its buffers back. Chunks stand for their raw bytes of
 * the file, except a text table's column chunks: together they stand for the group's text (`textBytes`).
 */
async function writeParts(context: PackContext, result: CodecTaskResult, path: string, textBytes?: number) {
  let fileBytes = 0
  const written: number[] = []
  for (const [c, part] of result.parts!.entries()) {
    const { stored, rawSize, codec, crc32, steps, repeats } = part
    const represents = textBytes === undefined ? (part.fileBytes ?? rawSize) : c === 0 ? textBytes : 0
    // Parts that store little have no digest (MIN_SHARED_BYTES): not worth a key per small file.
    const key =
      part.digest === undefined ? undefined : `${part.digest} ${rawSize} ${codec} ${JSON.stringify(steps)}`
    const earlier =
      repeats !== undefined ? written[repeats] : key === undefined ? undefined : context.storedChunks.get(key)
    if (earlier !== undefined) written[c] = context.writer.repeatChunk(earlier, represents)
    else {
      written[c] = await context.writer.writeChunk(
        { stored, rawSize, codec, crc32, transforms: steps },
        represents,
      )
      if (key) context.storedChunks.set(key, written[c])
    }
    fileBytes += represents
  }
  context.onBytes(fileBytes, path)
  context.buffers.give(...result.returned)
}
