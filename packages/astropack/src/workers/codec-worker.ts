import { parentPort } from 'node:worker_threads'
import { crc32, isAstropackError, loadCodec } from '@astropack/codecs'
import type { CodecTask, CodecTaskResult } from './codec-pool.js'

/** Runs codec work off the main thread; sync codecs are fastest here (async zlib on libuv was slower). */
const port = parentPort!

/** Only a buffer this view owns whole can be transferred without taking bytes that are not ours. */
function transferable(bytes: Uint8Array): ArrayBuffer[] {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? [bytes.buffer as ArrayBuffer] : []
}

port.on('message', async (task: CodecTask) => {
  let result: CodecTaskResult
  try {
    const codec = await loadCodec(task.codec)
    if (task.op === 'encode') {
      let stored = codec.encode(task.data, task.level)
      let codecName = task.codec
      // Incompressible data (already-compressed inputs) is stored as is: never bigger than the original.
      if (stored.byteLength >= task.data.byteLength) {
        stored = task.data.slice()
        codecName = 'none'
      }
      result = { id: task.id, data: stored, codec: codecName, crc32: crc32(stored), spare: task.data }
    } else {
      result = { id: task.id, data: codec.decode(task.data, task.rawSize), codec: task.codec, crc32: 0 }
    }
  } catch (error) {
    const code = isAstropackError(error) ? error.code : 'IO'
    port.postMessage({ id: task.id, error: { code, message: (error as Error).message } })
    return
  }
  port.postMessage(result, [...transferable(result.data), ...(result.spare ? transferable(result.spare) : [])])
})
