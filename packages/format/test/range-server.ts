import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A real HTTP server on 127.0.0.1 serving `bytes` with explicit ranges, counting the bytes it sends. */
export interface RangeServer {
  /** The URL of the served bytes (any path serves them). */
  url(path?: string): string
  /** Body bytes sent in 206 answers since the last reset. */
  readonly sent: number
  reset(): void
  close(): Promise<void>
}

export async function serveRanges(bytes: Uint8Array): Promise<RangeServer> {
  let sent = 0
  const server = createServer((request, response) => {
    const match = /^bytes=(\d+)-(\d+)$/.exec(request.headers.range ?? '')
    if (request.method === 'HEAD' || !match) {
      response.writeHead(200, { 'content-length': bytes.byteLength, 'accept-ranges': 'bytes' })
      response.end()
      return
    }
    const [start, end] = [Number(match[1]), Number(match[2]) + 1]
    sent += end - start
    response.writeHead(206, {
      'content-length': end - start,
      'content-range': `bytes ${start}-${end - 1}/${bytes.byteLength}`,
    })
    response.end(bytes.subarray(start, end))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    url: (path = '/package.astropack') => `${base}${path}`,
    get sent() {
      return sent
    },
    reset: () => {
      sent = 0
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
