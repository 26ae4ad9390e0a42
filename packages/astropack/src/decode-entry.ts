import { AstropackError } from '@astropack/codecs'
import { codecOf, DEFAULT_CHUNK_SIZE, type EntryRecord, type PackageReader } from '@astropack/format'
import { type BufferPool, frameBound } from './buffer-pool.js'
import { OrderedQueue } from './ordered-queue.js'
import type { CodecPool, CodecTaskResult } from './workers/codec-pool.js'

export interface DecodeContext {
  reader: PackageReader
  pool: CodecPool
  buffers: BufferPool
}

/**
 * Decodes an entry on the worker pool and hands its original bytes, in order, to `consume`: chunk by
 * chunk for bytes segments, group by group (rows rebuilt from columns) for tables. At most the queue's
 * limit of pieces is in flight. Resolves when every piece has been consumed.
 */
export async function decodeEntry(
  { reader, pool, buffers }: DecodeContext,
  entry: EntryRecord,
  consume: (bytes: Uint8Array) => Promise<void> | void,
): Promise<void> {
  const queue = new OrderedQueue(pool.threads + 2)
  const segments = reader.segmentsOf(entry) ?? [{ layout: 'bytes' as const, ...entry }]
  for (const segment of segments) {
    const indexes = Array.from({ length: segment.chunkCount }, (_, i) => segment.firstChunk + i)
    if (segment.layout === 'bytes') {
      for await (const { chunk, stored } of reader.readStored(indexes)) {
        const codec = codecOf(chunk)
        const steps = [...reader.transformsOf(chunk)]
        if (codec === 'none' && steps.length === 0) {
          // Stored as is: a view of the shared read buffer, written from there.
          await queue.push(Promise.resolve(() => consume(stored)))
          continue
        }
        // The stored bytes travel in a pooled buffer, transferred: posting a view of the read buffer would clone all of it.
        const size = Math.max(chunk.rawSize, DEFAULT_CHUNK_SIZE) // one pooled size for every chunk
        const input = buffers.take(frameBound(size))
        const data = input.subarray(0, stored.byteLength)
        data.set(stored)
        const into = buffers.take(size)
        const decoded = pool.run({ op: 'decode', codec, rawSize: chunk.rawSize, data, into, steps }, [
          input.buffer,
          into.buffer,
        ])
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
    const perGroup = segment.layout === 'rows' ? segment.columns.length : segment.columnCount
    let rebuilt = 0
    for (let group = 0; group * perGroup < indexes.length; group++) {
      const parts = []
      for await (const { chunk, stored } of reader.readStored(
        indexes.slice(group * perGroup, (group + 1) * perGroup),
      )) {
        parts.push({
          codec: codecOf(chunk),
          rawSize: chunk.rawSize,
          data: stored.slice(),
          steps: [...reader.transformsOf(chunk)],
        })
      }
      const inputs = parts.map((part) => part.data.buffer as ArrayBuffer)
      let decoded: Promise<CodecTaskResult>
      if (segment.layout === 'rows') {
        const rowCount = Math.min(segment.rowsPerGroup, segment.rowCount - group * segment.rowsPerGroup)
        const into = buffers.take(Math.max(DEFAULT_CHUNK_SIZE, segment.rowsPerGroup * segment.rowWidth))
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
        decoded = pool.run({ op: 'decodeText', parts, delimiter: segment.delimiter }, inputs)
      }
      await queue.push(
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
    }
    await queue.drain()
    if (rebuilt !== segment.rawLength) {
      throw new AstropackError(
        'CORRUPT_CHUNK',
        `a table in ${JSON.stringify(entry.path)} rebuilt to ${rebuilt} bytes, not ${segment.rawLength}`,
      )
    }
  }
  await queue.drain()
}
