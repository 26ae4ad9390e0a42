import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { BufferPool } from '../src/buffer-pool.js'
import { OrderedQueue } from '../src/ordered-queue.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('OrderedQueue', () => {
  it('applies results in push order whatever order they finish in, never exceeding its limit', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 5 }), { maxLength: 30 }),
        fc.integer({ min: 1, max: 4 }),
        async (delays, limit) => {
          const queue = new OrderedQueue(limit)
          const applied: number[] = []
          let inFlight = 0
          let maxInFlight = 0
          for (const [i, delay] of delays.entries()) {
            inFlight++
            maxInFlight = Math.max(maxInFlight, inFlight)
            await queue.push(
              sleep(delay).then(() => () => {
                applied.push(i)
                inFlight--
              }),
            )
          }
          await queue.drain()
          expect(applied).toEqual(delays.map((_, i) => i))
          expect(maxInFlight).toBeLessThanOrEqual(limit)
        },
      ),
      { numRuns: 30 },
    )
  })

  it('surfaces the first failure and applies nothing after it', async () => {
    const queue = new OrderedQueue(8)
    const applied: number[] = []
    await queue.push(Promise.resolve(() => void applied.push(0)))
    await queue.push(Promise.reject(new Error('boom')))
    await queue.push(Promise.resolve(() => void applied.push(2))).catch(() => {})
    await expect(queue.drain()).rejects.toThrow('boom')
    expect(applied).toEqual([0])
  })
})

describe('BufferPool', () => {
  it('hands back a given buffer of the same size, and never a detached one', () => {
    const pool = new BufferPool()
    const a = pool.take(1024)
    pool.give(a)
    expect(pool.take(1024).buffer).toBe(a.buffer)
    const b = pool.take(1024)
    structuredClone(b, { transfer: [b.buffer] })
    pool.give(b)
    expect(pool.take(1024).buffer).not.toBe(b.buffer)
    expect(pool.take(10).byteLength).toBe(10)
  })
})
