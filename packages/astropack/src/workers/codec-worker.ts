import { parentPort } from 'node:worker_threads'
import { crc32, isAstropackError, loadCodec } from '@astropack/codecs'
import type { CodecTask, CodecTaskResult } from './codec-pool.js'

/** Runs codec work off the main thread; sync codecs are fastest here (async zlib on libuv was slower). */
const port = parentPort!

/** A result outside the caller's buffers is copied to an exact-size buffer, so it can be transferred alone. */
function ownedOrInside(bytes: Uint8Array, buffers: Uint8Array[]): Uint8Array {
  if (buffers.some((buffer) => buffer.buffer === bytes.buffer)) return bytes
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice()
}

function run(
  task: CodecTask,
  codec: Awaited<ReturnType<typeof loadCodec>>,
): Omit<CodecTaskResult, 'id' | 'returned'> {
  const given = [task.data, ...(task.into ? [task.into] : [])]
  if (task.op === 'decode') {
    return {
      data: ownedOrInside(codec.decode(task.data, task.rawSize, task.into), given),
      codec: task.codec,
      crc32: 0,
    }
  }
  const stored = codec.encode(task.data, task.level, task.into)
  // Incompressible data (already-compressed inputs) is stored as is: never bigger than the original.
  if (stored.byteLength >= task.data.byteLength)
    return { data: task.data, codec: 'none', crc32: crc32(task.data) }
  return { data: ownedOrInside(stored, given), codec: task.codec, crc32: crc32(stored) }
}

port.on('message', async (task: CodecTask) => {
  let result: CodecTaskResult
  try {
    const returned = [task.data, ...(task.into ? [task.into] : [])]
    result = { id: task.id, ...run(task, await loadCodec(task.codec)), returned }
  } catch (error) {
    const code = isAstropackError(error) ? error.code : 'IO'
    port.postMessage({ id: task.id, error: { code, message: (error as Error).message } })
    return
  }
  // Every buffer goes back to the caller's pool; the result is a view into one of them, or its own buffer.
  const transfer = new Set([
    result.data.buffer,
    ...result.returned.map((bytes) => bytes.buffer),
  ] as ArrayBuffer[])
  port.postMessage(result, [...transfer])
})
