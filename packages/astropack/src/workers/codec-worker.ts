import { parentPort } from 'node:worker_threads'
import { isAstropackError, loadCodec } from '@astropack/codecs'
import { decodePart, decodeRows, decodeText, encodePart, encodeRows, encodeText } from './chunk-ops.js'
import type { CodecTask, CodecTaskResult } from './codec-pool.js'

/** Runs codec work off the main thread; sync codecs are fastest here (async zlib on libuv was slower). */
const port = parentPort!

/** The column chunks of a table group, each with its codec loaded. */
function withCodecs(parts: Extract<CodecTask, { op: 'decodeRows' }>['parts']) {
  return Promise.all(
    parts.map(async (part) => ({ ...part, codec: await loadCodec(part.codec), stored: part.data })),
  )
}

async function run(task: CodecTask): Promise<Omit<CodecTaskResult, 'id' | 'returned'>> {
  switch (task.op) {
    case 'encode':
      return {
        parts: [encodePart(await loadCodec(task.codec), task.level, task.data, task.candidates, task.into)],
      }
    case 'encodeRows':
      return encodeRows(
        await loadCodec(task.codec),
        task.level,
        task.data,
        task.rowWidth,
        task.columns,
        task.candidates,
        task.into,
        task.metrics,
      )
    case 'encodeText':
      return encodeText(
        await loadCodec(task.codec),
        task.level,
        task.data,
        task.delimiter,
        task.columnCount,
        task.into,
        task.ranges,
      )
    case 'decodeText':
      return { data: decodeText(await withCodecs(task.parts), task.delimiter, task.into) }
    case 'decode':
      return { data: decodePart(await loadCodec(task.codec), task.data, task.rawSize, task.steps, task.into) }
    case 'decodeRows': {
      const parts = await withCodecs(task.parts)
      return { data: decodeRows(parts, task.rowWidth, task.columns, task.rowCount, task.into) }
    }
  }
}

port.on('message', async (task: CodecTask) => {
  // The caller's reusable buffers go back: inputs, outputs, and the one buffer a table group's parts share.
  const returned = [
    ...('data' in task ? [task.data] : []),
    ...('into' in task && task.into ? [task.into] : []),
    ...('parts' in task && task.parts[0] ? [task.parts[0].data] : []),
  ]
  let result: CodecTaskResult
  try {
    result = { id: task.id, ...(await run(task)), returned }
  } catch (error) {
    const code = isAstropackError(error) ? error.code : 'IO'
    port.postMessage({ id: task.id, error: { code, message: (error as Error).message } })
    return
  }
  // Every buffer moves, none is cloned: the caller's buffers go back whole; a result outside them is sent in
  // a buffer of its own (copied to one when it is a view into a larger zlib buffer).
  const transfer = new Set<ArrayBuffer>(returned.map((bytes) => bytes.buffer as ArrayBuffer))
  const own = (bytes: Uint8Array): Uint8Array => {
    if (transfer.has(bytes.buffer as ArrayBuffer)) return bytes
    const whole =
      bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice()
    transfer.add(whole.buffer as ArrayBuffer)
    return whole
  }
  if (result.data) result.data = own(result.data)
  for (const part of result.parts ?? []) part.stored = own(part.stored)
  port.postMessage(result, [...transfer])
})
