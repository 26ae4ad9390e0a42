import { AstropackError } from './errors.js'
import { type ByteSource, checkRange } from './source.js'

export interface HttpSourceOptions {
  headers?: Record<string, string>
  fetch?: typeof fetch
  /** A request fails when the server sends nothing for this long, answer or body (default STALL_MS). */
  stallMs?: number
}

/** How long a server may go silent in the middle of a request before it counts as gone. */
export const STALL_MS = 30_000

/**
 * A package behind an HTTP(S) URL. The size comes from HEAD, then every read is an explicit
 * `bytes=a-b` range: suffix ranges are answered wrongly by some servers and S3 emulators.
 * A server that ignores Range (200 instead of 206) is refused rather than downloaded whole, one that
 * sends more than the range asked is cut off at the first byte too many, and one that goes silent
 * fails after `stallMs`.
 */
export async function openUrl(url: string | URL, options: HttpSourceOptions = {}): Promise<ByteSource> {
  const doFetch = options.fetch ?? fetch
  const stallMs = options.stallMs ?? STALL_MS
  const head = await request(
    doFetch,
    url,
    { method: 'HEAD', headers: options.headers },
    stallMs,
    `HEAD ${url}`,
  )
  head.watch.stop()
  const { response } = head
  if (!response.ok) throw new AstropackError('IO', `HEAD ${url}: HTTP ${response.status}`)
  const length = Number(response.headers.get('content-length'))
  if (!Number.isSafeInteger(length) || length < 0) {
    throw new AstropackError('RANGE_NOT_SUPPORTED', `HEAD ${url}: no usable Content-Length`)
  }
  const etag = response.headers.get('etag')
  return {
    byteLength: length,
    slice: async (start, end) => {
      checkRange(start, end, length)
      if (start === end) return new Uint8Array(0)
      const range = `bytes=${start}-${end - 1}`
      const what = `GET ${url} ${range}`
      const { response, watch } = await request(
        doFetch,
        url,
        { headers: { ...options.headers, range } },
        stallMs,
        what,
      )
      try {
        if (response.status !== 206) {
          throw new AstropackError(
            'RANGE_NOT_SUPPORTED',
            `GET ${url} with Range answered HTTP ${response.status}, not 206`,
          )
        }
        const changed = etag && response.headers.get('etag') && response.headers.get('etag') !== etag
        if (changed) throw new AstropackError('IO', `${url} changed while being read (ETag differs)`)
        return await readBody(response, end - start, watch, what)
      } catch (error) {
        if (response.body && !response.body.locked) await response.body.cancel().catch(() => {})
        throw error
      } finally {
        watch.stop()
      }
    },
  }
}

/** Aborts a request once the server has sent nothing for `stallMs`; `kick` on each sign of life. */
interface Watch {
  signal: AbortSignal
  kick(): void
  stop(): void
}

function watchdog(stallMs: number, what: string): Watch {
  const controller = new AbortController()
  let timer: ReturnType<typeof setTimeout> | undefined
  const kick = () => {
    clearTimeout(timer)
    timer = setTimeout(() => {
      const silent = `${what}: nothing from the server for ${stallMs / 1000} s`
      controller.abort(new AstropackError('IO', silent))
    }, stallMs)
  }
  kick()
  return { signal: controller.signal, kick, stop: () => clearTimeout(timer) }
}

async function request(
  doFetch: typeof fetch,
  url: string | URL,
  init: RequestInit,
  stallMs: number,
  what: string,
): Promise<{ response: Response; watch: Watch }> {
  const watch = watchdog(stallMs, what)
  try {
    const response = await doFetch(url, { ...init, signal: watch.signal })
    watch.kick()
    return { response, watch }
  } catch (cause) {
    watch.stop()
    if (watch.signal.aborted) throw watch.signal.reason
    throw new AstropackError('IO', `cannot reach ${url}: ${(cause as Error).message}`, { cause })
  }
}

/** Exactly `size` body bytes into one array: never more is read, whatever the server sends. */
async function readBody(response: Response, size: number, watch: Watch, what: string): Promise<Uint8Array> {
  const wrongSize = (got: string) =>
    new AstropackError('TRUNCATED', `${what} returned ${got} bytes, not ${size}`)
  // A compressed answer's length is of the compressed bytes: only the bytes read can be checked then.
  const declared = response.headers.get('content-length')
  const encoded = (response.headers.get('content-encoding') ?? 'identity') !== 'identity'
  if (declared !== null && !encoded && Number(declared) !== size) throw wrongSize(declared)
  const out = new Uint8Array(size)
  let at = 0
  const reader = response.body?.getReader()
  try {
    for (;;) {
      const { done, value } = reader ? await reader.read() : { done: true as const }
      if (done) break
      watch.kick()
      if (at + value.byteLength > size) throw wrongSize(`more than ${size}`)
      out.set(value, at)
      at += value.byteLength
    }
  } catch (error) {
    await reader?.cancel().catch(() => {})
    if (watch.signal.aborted) throw watch.signal.reason
    if (error instanceof AstropackError) throw error
    throw new AstropackError('IO', `${what}: ${(error as Error).message}`, { cause: error })
  }
  if (at !== size) throw wrongSize(String(at))
  return out
}
