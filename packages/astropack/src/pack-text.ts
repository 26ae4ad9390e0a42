import type { Sha256 } from '@astropack/codecs'
import { fixedLinesEnd } from '@astropack/format/layouts'
import { pooledSize } from './buffer-pool.js'
import { FirstPick } from './first-pick.js'
import { columnMetrics, emptyMetrics, type Metrics, mergeMetrics, positionKind } from './layouts/metrics.js'
import type { PlannedSegment } from './layouts/plan.js'
import { OPAQUE, type TableSchema } from './layouts/segments.js'
import { measureTextRecords } from './layouts/text-metrics.js'
import { TextTableKinds } from './layouts/text-types.js'
import { packBytes, writeParts } from './pack-bytes.js'
import type { PackContext } from './pack-file.js'
import type { SourceFile } from './source-file.js'
import type { SourceEntry } from './walk.js'
import { groupFrameBound } from './workers/chunk-ops.js'
import type { TextColumnChain } from './workers/codec-pool.js'

/**
 * Text is read in groups of about this many bytes (1 MiB groups lost 5% of ratio on the Tycho-2 CSV).
 * Workers turn one column of a group at a time into strings, which bounds their heap.
 */
const TEXT_GROUP_BYTES = 4 * 1024 * 1024

/** A group (kept whole if need be) must fit one chunk (64 MiB); lines longer than this end the table. */
const MAX_GROUP_BYTES = 32 * 1024 * 1024

export async function packText(
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
  // Undefined once a group cannot be measured (a ragged line, a fixed-width group kept raw): no metrics then.
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
  let tail: ReturnType<typeof measureTextRecords>
  if (position === segment.end && segment.end < file.byteLength) {
    const bytes = await file.slice(segment.end, file.byteLength)
    if (!fixed) tail = measureTextRecords(bytes, delimiter, ranges)
    kinds?.addTail(bytes)
  }
  await queue.push(
    Promise.resolve(() => {
      table.rows = lines + (tail?.records ?? 0)
      kinds?.types()?.forEach((type, c) => {
        table.columns[c]!.type = type
      })
      if (tail?.records)
        measured =
          measured && tail.metrics
            ? measured.map((sum, c) => mergeMetrics(sum, tail.metrics![c]!))
            : undefined
      measured?.forEach((metrics, c) => {
        const column = table.columns[c]
        if (column) column.metrics = columnMetrics(metrics, { range: ranges[c] })
      })
    }),
  )
}
