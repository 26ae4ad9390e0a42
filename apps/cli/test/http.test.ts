import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { astropack, astropackAsync, SAMPLE } from './run-cli.js'

/** A real HTTP server on 127.0.0.1 that answers HEAD and `bytes=a-b` ranges, and counts what it sends. */
let server: Server
let base: string
let pkg: Buffer
let sent = 0
const work = mkdtempSync(join(tmpdir(), 'astropack-http-'))

beforeAll(async () => {
  const path = join(work, 'sample.astropack')
  expect(astropack('pack', SAMPLE, '-o', path).status).toBe(0)
  pkg = readFileSync(path)
  server = createServer((request, response) => {
    const match = /^bytes=(\d+)-(\d+)$/.exec(request.headers.range ?? '')
    if (request.method === 'HEAD' || !match) {
      response.writeHead(200, { 'content-length': pkg.length, 'accept-ranges': 'bytes' })
      response.end()
      return
    }
    const [start, end] = [Number(match[1]), Number(match[2]) + 1]
    sent += end - start
    response.writeHead(206, {
      'content-length': end - start,
      'content-range': `bytes ${start}-${end - 1}/${pkg.length}`,
    })
    response.end(pkg.subarray(start, end))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
  rmSync(work, { recursive: true, force: true })
})

describe('reading a package over HTTP', () => {
  it('lists it and cats one entry, fetching a small part of it', async () => {
    sent = 0
    const ls = await astropackAsync('ls', `${base}/sample.astropack`)
    expect(ls.status, ls.stderr).toBe(0)
    expect(ls.stdout).toContain('docs/cds-ReadMe.txt')
    const name = 'docs/cds-ReadMe.txt'
    const cat = await astropackAsync('cat', `${base}/sample.astropack`, name)
    expect(cat.status, cat.stderr).toBe(0)
    expect(cat.stdoutBytes.equals(readFileSync(join(SAMPLE, name)))).toBe(true)
    // Trailer + index twice, and the one small entry: a fraction of the 1.5 MB package.
    expect(sent).toBeLessThan(pkg.length / 4)
  })
})
