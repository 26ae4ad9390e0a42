import { parentPort } from 'node:worker_threads'
import { isAstropackError } from '@astropack/codecs'
import type { CodecTask, CodecTaskResult } from './codec-pool.js'
import { detachResult, runTask, taskBuffers } from './run-task.js'

/** Runs codec work off the main thread; sync codecs are fastest here (async zlib on libuv was slower). */
const port = parentPort!

port.on('message', async (task: CodecTask) => {
  const returned = taskBuffers(task)
  let result: CodecTaskResult
  try {
    result = { id: task.id, ...(await runTask(task)), returned }
  } catch (error) {
    const code = isAstropackError(error) ? error.code : 'IO'
    port.postMessage({ id: task.id, error: { code, message: (error as Error).message } })
    return
  }
  // Every buffer moves, none is cloned: the caller's buffers go back whole, with the result's own.
  port.postMessage(result, [...detachResult(result, returned)])
})
