import { AstropackError } from './errors.js'
import { type ByteSource, checkRange } from './source.js'

export interface HttpSourceOptions {
  headers?: Record<string, string>
  fetch?: typeof fetch
}

/**
 * A package behind an HTTP(S) URL. The size comes from HEAD, then every read is an explicit
 * `bytes=a-b` range: suffix ranges are answered wrongly by some servers and S3 emulators.
 * A server that ignores Range (200 instead of 206) is refused rather than downloaded whole.
 */
export async function openUrl(url: string | URL, options: HttpSourceOptions = {}): Promise<ByteSource> {
  const doFetch = options.fetch ?? fetch
  const head = await request(doFetch, url, { method: 'HEAD', headers: options.headers })
  if (!head.ok) throw new AstropackError('IO', `HEAD ${url}: HTTP ${head.status}`)
  const length = Number(head.headers.get('content-length'))
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new AstropackError('RANGE_NOT_SUPPORTED', `HEAD ${url}: no usable Content-Length`)
  }
  const etag = head.headers.get('etag')
  return {
    byteLength: length,
    slice: async (start, end) => {
      checkRange(start, end, length)
      if (start === end) return new Uint8Array(0)
      const headers = { ...options.headers, range: `bytes=${start}-${end - 1}` }
      const response = await request(doFetch, url, { headers })
      if (response.status !== 206) {
        await response.body?.cancel()
        throw new AstropackError(
          'RANGE_NOT_SUPPORTED',
          `GET ${url} with Range answered HTTP ${response.status}, not 206`,
        )
      }
      const changed = etag && response.headers.get('etag') && response.headers.get('etag') !== etag
      if (changed) throw new AstropackError('IO', `${url} changed while being read (ETag differs)`)
      const body = new Uint8Array(await response.arrayBuffer())
      if (body.byteLength !== end - start) {
        throw new AstropackError(
          'TRUNCATED',
          `GET ${url} bytes=${start}-${end - 1} returned ${body.byteLength} bytes`,
        )
      }
      return body
    },
  }
}

async function request(doFetch: typeof fetch, url: string | URL, init: RequestInit): Promise<Response> {
  try {
    return await doFetch(url, init)
  } catch (cause) {
    throw new AstropackError('IO', `cannot reach ${url}: ${(cause as Error).message}`, { cause })
  }
}
