import { loadCodec } from '@astropack/codecs'
import { measureColumn } from '../layouts/metrics.js'
import {
  decodeColumn,
  decodePart,
  decodeRows,
  decodeText,
  encodePart,
  encodeRows,
  encodeText,
} from './chunk-ops.js'
import type { CodecTask, CodecTaskResult } from './codec-pool.js'

/** The column chunks of a table group, each with its codec loaded. */
function withCodecs(parts: Extract<CodecTask, { op: 'decodeRows' }>['parts']) {
  return Promise.all(
    parts.map(async (part) => ({ ...part, codec: await loadCodec(part.codec), stored: part.data })),
  )
}

/** Runs one codec task, on a worker thread or (small inputs) inline; see chunk-ops.ts for the work. */
export async function runTask(task: CodecTask): Promise<Omit<CodecTaskResult, 'id' | 'returned'>> {
  switch (task.op) {
    case 'encode':
      return {
        metrics: task.measure?.map(({ start, end, spec }) =>
          measureColumn(task.data.subarray(start, end), spec),
        ),
        parts: [encodePart(await loadCodec(task.codec), task.level, task.data, task.candidates, task.into)],
      }
    case 'encodeRows':
      return encodeRows(await loadCodec(task.codec), task)
    case 'encodeText':
      return encodeText(
        await loadCodec(task.codec),
        task.level,
        task.data,
        task,
        task.into,
        task.ranges,
        task.chosen,
      )
    case 'decodeText':
      return { data: decodeText(await withCodecs(task.parts), task.delimiter, task.into) }
    case 'decode':
      return { data: decodePart(await loadCodec(task.codec), task.data, task.rawSize, task.steps, task.into) }
    case 'decodeRows': {
      const parts = await withCodecs(task.parts)
      return { data: decodeRows(parts, task.rowWidth, task.columns, task.rowCount, task.into) }
    }
    case 'decodeColumn': {
      const parts = await withCodecs(task.parts)
      return { data: decodeColumn(parts, task.slot, task.widths, task.rowCount, task.into) }
    }
  }
}

/** The caller's reusable buffers a task carries, handed back with its result: inputs, outputs, and the
 * one buffer a table group's parts share. */
export function taskBuffers(task: CodecTask): Uint8Array[] {
  return [
    ...('data' in task ? [task.data] : []),
    ...('into' in task && task.into ? [task.into] : []),
    ...('parts' in task && task.parts[0] ? [task.parts[0].data] : []),
  ]
}

/**
 * Makes a result independent of the thread's reused memory: parts of it outside the task's own buffers
 * (views of a slot the next task overwrites, or of a larger zlib buffer) are copied to buffers of their own.
 * Returns the buffers the result lives in: what a worker transfers back.
 */
export function detachResult(result: Omit<CodecTaskResult, 'id'>, returned: Uint8Array[]): Set<ArrayBuffer> {
  const owned = new Set<ArrayBuffer>(returned.map((bytes) => bytes.buffer as ArrayBuffer))
  const own = (bytes: Uint8Array): Uint8Array => {
    if (owned.has(bytes.buffer as ArrayBuffer)) return bytes
    const whole =
      bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice()
    owned.add(whole.buffer as ArrayBuffer)
    return whole
  }
  if (result.data) result.data = own(result.data)
  for (const part of result.parts ?? []) part.stored = own(part.stored)
  return owned
}
