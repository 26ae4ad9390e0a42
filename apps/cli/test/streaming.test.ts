import { spawn } from 'node:child_process'
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { astropack, astropackWithPeakRss, CLI, SAMPLE } from './run-cli.js'

const MiB = 1024 * 1024
let work: string
let big: string

/** A 768 MiB file of real catalog text (the JPL asteroid CSV repeated, each copy numbered). */
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'astropack-stream-'))
  mkdirSync(join(work, 'in'))
  big = join(work, 'in/asteroids-x530.csv')
  const csv = readFileSync(join(SAMPLE, 'tables/jpl-sbdb-asteroids.csv'))
  const fd = openSync(big, 'w')
  for (let copy = 0; statSync(big).size < 768 * MiB; copy++) {
    writeSync(fd, `# copy ${copy}\n`)
    writeSync(fd, csv)
  }
  closeSync(fd)
}, 120_000)
afterAll(() => rmSync(work, { recursive: true, force: true }))

describe('memory stays bounded whatever the file size', () => {
  it('packs, validates and unpacks a 768 MiB file within 256 MiB RSS', async () => {
    const pkg = join(work, 'big.astropack')
    const pack = await astropackWithPeakRss('pack', join(work, 'in'), '-o', pkg, '--threads', '2')
    expect(pack.status, pack.stderr).toBe(0)
    const full = await astropackWithPeakRss('validate', pkg, '--full')
    expect(full.status, full.stderr).toBe(0)
    const unpack = await astropackWithPeakRss('unpack', pkg, '-o', join(work, 'out'))
    expect(unpack.status, unpack.stderr).toBe(0)
    expect(statSync(join(work, 'out/asteroids-x530.csv')).size).toBe(statSync(big).size)
    for (const run of [pack, full, unpack]) expect(run.peakRss).toBeLessThan(256 * MiB)
  }, 300_000)
})

describe('large outputs and the page cache', () => {
  it('--no-direct-io writes the package and the unpacked file through it, which come back the same', () => {
    const run = (...args: string[]) => {
      const result = astropack(...args, '--json')
      expect(result.status, result.stderr).toBe(0)
      return JSON.parse(result.stdout)
    }
    const direct = run('pack', join(work, 'in'), '-o', join(work, 'direct.astropack'))
    const buffered = run('pack', join(work, 'in'), '-o', join(work, 'buffered.astropack'), '--no-direct-io')
    expect(['direct', 'buffered']).toContain(direct.io) // direct where the file system takes O_DIRECT
    expect(buffered.io).toBe('buffered')
    // Not the package sizes: each index holds its own time and is compressed, so they may differ by a byte.
    const unpacked = run('unpack', join(work, 'direct.astropack'), '-o', join(work, 'direct-out'))
    expect(unpacked.directFiles).toBe(direct.io === 'direct' ? 1 : 0)
    const plain = run(
      'unpack',
      join(work, 'buffered.astropack'),
      '-o',
      join(work, 'plain-out'),
      '--no-direct-io',
    )
    expect(plain.directFiles).toBe(0)
    for (const out of ['direct-out', 'plain-out']) {
      expect(statSync(join(work, out, 'asteroids-x530.csv')).size).toBe(statSync(big).size) // SHA-256 checked by unpack
    }
  }, 300_000)
})

describe('outputs are atomic', () => {
  it.each(['SIGINT', 'SIGTERM'] as const)(
    'a pack interrupted by %s leaves no file under the final name',
    async (signal) => {
      const pkg = join(work, `interrupted-${signal}.astropack`)
      // gzip -9 on one thread is slow enough to be interrupted mid-way.
      const child = spawn(process.execPath, [
        CLI,
        'pack',
        join(work, 'in'),
        '-o',
        pkg,
        '--codec',
        'gzip',
        '--level',
        '9',
        '--threads',
        '1',
      ])
      await new Promise((resolve) => setTimeout(resolve, 1500))
      const partials = readdirSync(work).filter((name) => name.includes(`interrupted-${signal}`))
      expect(partials.length).toBe(1) // the temporary file exists while packing...
      expect(partials[0]).toMatch(/\.partial$/)
      child.kill(signal)
      await new Promise((resolve) => child.on('close', resolve))
      // ...and neither it nor a final file remains.
      expect(readdirSync(work).filter((name) => name.includes(`interrupted-${signal}`))).toEqual([])
    },
    60_000,
  )

  it('an unpack interrupted mid-file leaves no half file under its final name', async () => {
    const pkg = join(work, 'slow.astropack')
    expect(astropack('pack', join(work, 'in'), '-o', pkg, '--codec', 'gzip', '--level', '1').status).toBe(0)
    const out = join(work, 'slow-out')
    const child = spawn(process.execPath, [CLI, 'unpack', pkg, '-o', out, '--threads', '1'])
    await new Promise((resolve) => setTimeout(resolve, 800))
    child.kill('SIGKILL') // no chance to clean up: the temporary name may stay, the final name must not appear
    await new Promise((resolve) => child.on('close', resolve))
    expect(readdirSync(out).filter((name) => name === 'asteroids-x530.csv')).toEqual([])
  }, 120_000)
})
