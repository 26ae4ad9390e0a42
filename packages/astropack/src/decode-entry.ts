import { AstropackError } from '@astropack/codecs'
import { codecOf, type EntryRecord, type PackageReader, type StoredChunk } from '@astropack/format'
import { DEFAULT_CHUNK_SIZE } from '@astropack/format/layouts'
import { type BufferPool, pooledSize } from './buffer-pool.js'
import { OrderedQueue } from './ordered-queue.js'
import type { CodecTaskResult, TaskRunner } from './workers/codec-pool.js'

export interface DecodeContext {
  reader: PackageReader
  pool: TaskRunner
  buffers: BufferPool
  /**
   * Where the entry's pieces are applied in order: a caller that decodes several entries through one
   * queue keeps the workers busy across entries (it pushes its own work after each, and drains at the end).
   */
  queue?: Pick<OrderedQueue, 'push'>
}

/**
 * Decodes an entry on the worker pool and hands its original bytes, in order, to `consume`: chunk by
 * chunk for bytes segments, group by group (rows rebuilt from columns) for tables. At most the queue's
 * limit of pieces is in flight. Without a queue of the caller's, resolves when every piece has been
 * consumed; with one, once every piece is queued.
 */
export async function decodeEntry(
  { reader, pool, buffers, queue: shared }: DecodeContext,
  entry: EntryRecord,
  consume: (bytes: Uint8Array) => Promise<void> | void,
): Promise<void> {
  const own = shared ? undefined : new OrderedQueue(pool.inFlight)
  const queue = shared ?? own!
  const segments = reader.segmentsOf(entry) ?? [{ layout: 'bytes' as const, ...entry }]
  for (const segment of segments) {
    const indexes = Array.from({ length: segment.chunkCount }, (_, i) => segment.firstChunk + i)
    if (segment.layout === 'bytes') {
      for (const index of indexes) {
        const chunk = reader.chunks[index]!
        const codec = codecOf(chunk)
        const steps = [...reader.transformsOf(chunk)]
        // Read straight into a pooled buffer, which is then transferred to a worker and comes back.
        const input = buffers.take(pooledSize(chunk.storedSize))
        const [{ stored }] = (await reader.readStoredInto([index], input)) as [StoredChunk]
        if (codec === 'none' && steps.length === 0) {
          await queue.push(
            Promise.resolve(async () => {
              await consume(stored)
              buffers.give(input)
            }),
          )
          continue
        }
        const into = buffers.take(pooledSize(chunk.rawSize))
        const task = { op: 'decode' as const, codec, rawSize: chunk.rawSize, data: stored, into, steps }
        const decoded = pool.run(task, [input.buffer, into.buffer])
        await queue.push(
          decoded.then((result) => async () => {
            await consume(result.data!)
            buffers.give(...result.returned)
          }),
        )
      }
      continue
    }
    // Tables: each group's column chunks go to one worker, which rebuilds the group's original bytes.
    let rebuilt = 0
    const apply = (decoded: Promise<CodecTaskResult>) =>
      queue.push(
        decoded.then((result) => async () => {
          rebuilt += result.data!.byteLength
          if (rebuilt > segment.rawLength) {
            throw new AstropackError(
              'CORRUPT_CHUNK',
              `a table in ${JSON.stringify(entry.path)} rebuilds past its size`,
            )
          }
          await consume(result.data!)
          buffers.give(...result.returned)
        }),
      )
    /** Chunks read into one pooled buffer that travels to the worker and back. */
    const read = async (members: number[]) => {
      const input = buffers.take(pooledSize(reader.storedBytes(members)))
      const parts = (await reader.readStoredInto(members, input)).map(({ chunk, stored }) => ({
        codec: codecOf(chunk),
        rawSize: chunk.rawSize,
        data: stored,
        steps: [...reader.transformsOf(chunk)],
      }))
      return { input, parts }
    }
    const perGroup = segment.layout === 'rows' ? segment.columns.length : segment.columnCount
    const groups = indexes.length / perGroup
    if (segment.layout === 'rows' && segment.columnMajor) {
      // Column after column, as the file holds them. A predicted or ranked chunk (its size says so) goes
      // with its group's chunks, for its sources.
      const widths = segment.columns.map((column) => column.width)
      for (let slot = 0; slot < perGroup; slot++) {
        for (let group = 0; group < groups; group++) {
          const rowCount = Math.min(segment.rowsPerGroup, segment.rowCount - group * segment.rowsPerGroup)
          const own = indexes[group * perGroup + slot]!
          const related = reader.chunks[own]!.rawSize !== rowCount * widths[slot]!
          const { input, parts } = await read(
            related ? indexes.slice(group * perGroup, (group + 1) * perGroup) : [own],
          )
          const into = buffers.take(pooledSize(rowCount * widths[slot]!))
          const task = { op: 'decodeColumn' as const, parts, slot, widths, rowCount, into }
          await apply(pool.run(task, [into.buffer, input.buffer]))
        }
      }
    } else {
      for (let group = 0; group < groups; group++) {
        const { input, parts } = await read(indexes.slice(group * perGroup, (group + 1) * perGroup))
        const inputs = [input.buffer]
        let decoded: Promise<CodecTaskResult>
        if (segment.layout === 'rows') {
          const rowCount = Math.min(segment.rowsPerGroup, segment.rowCount - group * segment.rowsPerGroup)
          const into = buffers.take(pooledSize(rowCount * segment.rowWidth))
          const task = {
            op: 'decodeRows' as const,
            parts,
            rowWidth: segment.rowWidth,
            columns: segment.columns,
            rowCount,
            into,
          }
          decoded = pool.run(task, [into.buffer, ...inputs])
        } else {
          // A group's text is no longer than its segment's; the writer's groups fit one chunk's buffer.
          const into = buffers.take(pooledSize(Math.min(segment.rawLength, DEFAULT_CHUNK_SIZE)))
          const task = { op: 'decodeText' as const, parts, delimiter: segment.delimiter, into }
          decoded = pool.run(task, [into.buffer, ...inputs])
        }
        await apply(decoded)
      }
    }
    // Checked once the segment's groups are applied, without waiting for them here.
    await queue.push(
      Promise.resolve(() => {
        if (rebuilt !== segment.rawLength) {
          throw new AstropackError(
            'CORRUPT_CHUNK',
            `a table in ${JSON.stringify(entry.path)} rebuilt to ${rebuilt} bytes, not ${segment.rawLength}`,
          )
        }
      }),
    )
  }
  await own?.drain()
}
