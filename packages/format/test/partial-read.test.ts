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
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

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

  it('reports an unreachable server as a typed error', async () => {
    await expect(openUrl('http://127.0.0.1:1/x.astropack')).rejects.toMatchObject({ code: 'IO' })
  })
})
