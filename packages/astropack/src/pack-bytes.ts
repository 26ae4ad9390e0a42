import type { Sha256 } from '@astropack/codecs'
import { frameBound, pooledSize } from './buffer-pool.js'
import { type Choice, FirstPick, initial, NO_PICK, next } from './first-pick.js'
import { ColumnMeter } from './layouts/metrics.js'
import type { PlannedSegment } from './layouts/plan.js'
import type { PackContext } from './pack-file.js'
import type { SourceFile } from './source-file.js'
import type { SourceEntry } from './walk.js'
import type { CodecTaskResult, ColumnRange } from './workers/codec-pool.js'

/**
 * Packs a bytes segment chunk by chunk. Table columns stored in it (HDF5 datasets) are measured by the
 * workers, each on the whole values of the chunk it encodes; returns their meters (undefined for
 * unmeasured columns), complete once the queue has applied the segment's chunks.
 */
export async function packBytes(
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

/**
 * Writes a task's encoded chunks in order, then gives its buffers back. Chunks stand for their raw bytes of
 * the file, except a text table's column chunks: together they stand for the group's text (`textBytes`).
 */
export async function writeParts(
  context: PackContext,
  result: CodecTaskResult,
  path: string,
  textBytes?: number,
) {
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
