import { randomBytes } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { describe, expect, it } from 'vitest'
import { type ByteSource, openPackage } from '../src/index.js'
import { sameBytes, writePackage } from './helpers.js'

/**
 * A source that fills the caller's buffer a turn after it is asked, as a file read does, and counts the
 * reads in flight: so a test sees both the overlap and a read still writing after it should have ended.
 */
function slowSource(bytes: Uint8Array) {
  const seen = { inFlight: 0 }
  const source: ByteSource = {
    byteLength: bytes.byteLength,
    slice: async (start, end, into) => {
      seen.inFlight++
      await sleep(1)
      const out =
        into && into.byteLength >= end - start ? into.subarray(0, end - start) : new Uint8Array(end - start)
      out.set(bytes.subarray(start, end))
      seen.inFlight--
      return out
    },
  }
  return { source, seen }
}

describe('readStored into a scratch buffer', () => {
  // Incompressible files of 4 KiB chunks; a scratch of three chunks has halves of 1.5: a run a chunk.
  const files = Array.from({ length: 3 }, (_, f) => ({ path: `f${f}.bin`, bytes: randomBytes(5 * 4096) }))
  const pkg = writePackage(files, { codec: 'none', chunkSize: 4096 })

  it('yields every chunk right while the next run is read into the other half', async () => {
    const { source, seen } = slowSource(await pkg)
    const reader = await openPackage(source)
    const indexes = reader.chunks.map((_, i) => i)
    const want = await Array.fromAsync(reader.readStored(indexes), ({ stored }) => stored.slice())
    const scratch = new Uint8Array(3 * 4096 + 64)
    const reading: number[] = [] // reads in flight while the caller holds each chunk
    for await (const { stored } of reader.readStored(indexes, scratch)) {
      expect(stored.buffer).toBe(scratch.buffer)
      expect(sameBytes(stored, want[reading.length]!)).toBe(true)
      reading.push(seen.inFlight)
      await sleep(2) // the caller's own work: the next run's read finishes meanwhile, into the other half
      expect(sameBytes(stored, want[reading.length - 1]!)).toBe(true)
    }
    expect(reading).toEqual([...indexes.slice(1).map(() => 1), 0]) // the next run, none after the last
  })

  it('leaves no read writing into the scratch once the caller stops', async () => {
    const { source, seen } = slowSource(await pkg)
    const reader = await openPackage(source)
    const scratch = new Uint8Array(3 * 4096 + 64)
    for await (const { stored } of reader.readStored(
      reader.chunks.map((_, i) => i),
      scratch,
    )) {
      expect(stored.byteLength).toBe(4096)
      break
    }
    expect(seen.inFlight).toBe(0)
  })
})
