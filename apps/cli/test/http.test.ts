import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RangeServer, serveRanges } from '../../../packages/format/test/range-server.js'
import { astropack, astropackAsync, SAMPLE } from './run-cli.js'

let server: RangeServer
let pkg: Buffer
const work = mkdtempSync(join(tmpdir(), 'astropack-http-'))

beforeAll(async () => {
  const path = join(work, 'sample.astropack')
  expect(astropack('pack', SAMPLE, '-o', path).status).toBe(0)
  pkg = readFileSync(path)
  server = await serveRanges(pkg)
})
afterAll(async () => {
  await server.close()
  rmSync(work, { recursive: true, force: true })
})

describe('reading a package over HTTP', () => {
  it('lists it and cats one entry, fetching a small part of it', async () => {
    server.reset()
    const ls = await astropackAsync('ls', server.url())
    expect(ls.status, ls.stderr).toBe(0)
    expect(ls.stdout).toContain('docs/cds-ReadMe.txt')
    const name = 'docs/cds-ReadMe.txt'
    const cat = await astropackAsync('cat', server.url(), name)
    expect(cat.status, cat.stderr).toBe(0)
    expect(cat.stdoutBytes.equals(readFileSync(join(SAMPLE, name)))).toBe(true)
    // Trailer + index twice, and the one small entry: a fraction of the 1.5 MB package.
    expect(server.sent).toBeLessThan(pkg.length / 4)
  })
})
