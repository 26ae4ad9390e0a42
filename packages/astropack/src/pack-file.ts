import { basename } from 'node:path'
import { type CodecName, createSha256, type Sha256 } from '@astropack/codecs'
import type { PackageWriter } from '@astropack/format'
import type { RowPrediction } from '@astropack/format/layouts'
import { type BufferPool, pooledSize } from './buffer-pool.js'
import { type Choice, FirstPick, initial, NO_PICK, next } from './first-pick.js'
import { columnMetrics, emptyMetrics, type Metrics, mergeMetrics } from './layouts/metrics.js'
import { type PlannedSegment, planFile } from './layouts/plan.js'
import type { TableSchema } from './layouts/segments.js'
import type { OrderedQueue } from './ordered-queue.js'
import { packBytes, writeParts } from './pack-bytes.js'
import { packText } from './pack-text.js'
import type { SourceFile } from './source-file.js'
import { tableReader } from './version.js'
import type { SourceEntry } from './walk.js'
import { groupFrameBound } from './workers/chunk-ops.js'
import type { TaskRunner } from './workers/codec-pool.js'

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
