import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FIRST_READ_SIZE, fromBytes, openPackage, openUrl, withReadStats } from '../src/index.js'
import { sameBytes, sampleFiles, writePackage } from './helpers.js'

const names = [
  'fits/saao-1m-a8280271.fits',
  'tables/jpl-sbdb-asteroids.csv',
  'tables/tycho2-07-first20000.h5',
]

let pkg: Uint8Array
let files: Awaited<ReturnType<typeof sampleFiles>>
beforeAll(async () => {
  files = await sampleFiles(names)
  pkg = await writePackage(files, { chunkSize: 128 * 1024 })
})

describe('reading in part', () => {
  it('lists entries with one read of the last FIRST_READ_SIZE bytes', async () => {
    const source = withReadStats(fromBytes(pkg))
    const reader = await openPackage(source)
    expect(reader.entries).toHaveLength(3)
    expect(source.stats).toEqual({ requests: 1, bytes: Math.min(FIRST_READ_SIZE, pkg.byteLength) })
  })

  it('reads one entry touching only its own chunks', async () => {
    const source = withReadStats(fromBytes(pkg))
    const reader = await openPackage(source)
    const before = source.stats.bytes
    const entry = reader.entry('tables/jpl-sbdb-asteroids.csv')
    expect(sameBytes(await reader.readEntry(entry.path), files[1]!.bytes)).toBe(true)
    const stored = reader.chunkIndexes(entry).reduce((sum, i) => sum + reader.chunks[i]!.storedSize, 0)
    expect(source.stats.bytes - before).toBe(stored)
    // Its chunks are adjacent, so they arrive in one coalesced read.
    expect(source.stats.requests).toBe(2)
  })
})

describe('over HTTP with explicit ranges', () => {
  let server: Server
  let base: string
  const seen: string[] = []
  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push(`${request.method} ${request.headers.range ?? ''}`)
      if (request.url === '/silent.astropack') return // never answers
      const range = /^bytes=(\d+)-(\d+)$/.exec(request.headers.range ?? '')
      if (request.url?.startsWith('/odd-') && request.method === 'GET' && range) {
        const size = Number(range[2]) + 1 - Number(range[1])
        const body = new Uint8Array(size + 10).fill(7)
        if (request.url === '/odd-stalls.astropack') {
          response.writeHead(206, { 'content-length': size })
          response.write(body.subarray(0, size >> 1)) // then nothing more
        } else if (request.url === '/odd-longer.astropack') {
          response.writeHead(206) // no length: chunked, and more than the range
          response.write(body.subarray(0, size))
          response.end(body.subarray(size))
        } else {
          response.writeHead(206, { 'content-length': size + 10 })
          response.end(body)
        }
        return
      }
      if (request.url === '/no-range.astropack') {
        response.writeHead(200, { 'content-length': pkg.byteLength })
        response.end(request.method === 'HEAD' ? undefined : pkg)
        return
      }
      const match = /^bytes=(\d+)-(\d+)$/.exec(request.headers.range ?? '')
      if (request.method === 'HEAD' || !match) {
        response.writeHead(200, { 'content-length': pkg.byteLength, etag: '"v1"', 'accept-ranges': 'bytes' })
        response.end(request.method === 'HEAD' ? undefined : pkg)
        return
      }
      const start = Number(match[1])
      const end = Number(match[2]) + 1
      response.writeHead(206, {
        'content-length': end - start,
        'content-range': `bytes ${start}-${end - 1}/${pkg.byteLength}`,
        etag: '"v1"',
      })
      response.end(pkg.subarray(start, end))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections() // the ones left silent
        server.close(() => resolve())
      }),
  )

  it('reads one entry from a real HTTP server with HEAD then bytes=a-b ranges', async () => {
    seen.length = 0
    const source = withReadStats(await openUrl(`${base}/sample.astropack`))
    const reader = await openPackage(source)
    expect(sameBytes(await reader.readEntry('fits/saao-1m-a8280271.fits'), files[0]!.bytes)).toBe(true)
    expect(seen[0]).toBe('HEAD ')
    expect(seen.slice(1).every((line) => /^GET bytes=\d+-\d+$/.test(line))).toBe(true)
    expect(source.stats.bytes).toBeLessThan(pkg.byteLength)
  })

  it('refuses a server that ignores Range instead of downloading everything', async () => {
    const source = await openUrl(`${base}/no-range.astropack`)
    await expect(openPackage(source)).rejects.toMatchObject({ code: 'RANGE_NOT_SUPPORTED' })
  })

  it('gives up on a server that stays silent, after stallMs', async () => {
    await expect(openUrl(`${base}/silent.astropack`, { stallMs: 200 })).rejects.toMatchObject({
      code: 'IO',
      message: `HEAD ${base}/silent.astropack: nothing from the server for 0.2 s`,
    })
  })

  it('gives up on a body that stops halfway, after stallMs', async () => {
    const source = await openUrl(`${base}/odd-stalls.astropack`, { stallMs: 200 })
    await expect(source.slice(0, 1000)).rejects.toMatchObject({
      code: 'IO',
      message: expect.stringMatching(/ bytes=0-999: nothing from the server for 0\.2 s$/),
    })
  })

  it('reads no more than the range asked, whatever the server sends', async () => {
    const longer = await openUrl(`${base}/odd-longer.astropack`)
    await expect(longer.slice(0, 1000)).rejects.toMatchObject({
      code: 'TRUNCATED',
      message: expect.stringMatching(/ bytes=0-999 returned more than 1000 bytes, not 1000$/),
    })
    const declared = await openUrl(`${base}/odd-declared.astropack`)
    await expect(declared.slice(0, 1000)).rejects.toMatchObject({
      code: 'TRUNCATED',
      message: expect.stringMatching(/ bytes=0-999 returned 1010 bytes, not 1000$/),
    })
  })

  it('reports an unreachable server as a typed error', async () => {
    await expect(openUrl('http://127.0.0.1:1/x.astropack')).rejects.toMatchObject({ code: 'IO' })
  })
})
