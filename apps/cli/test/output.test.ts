import { describe, expect, it } from 'vitest'
import { formatBytes, formatRate } from '../src/output.js'

describe('sizes and speeds as the CLI prints them', () => {
  it('round bytes to whole ones and larger sizes to 2 or 1 decimals', () => {
    expect(formatBytes(367)).toBe('367 B')
    expect(formatRate(367, 0.572)).toBe('642 B/s') // a tiny file packed in a fraction of a second
    expect(formatRate(1536, 1)).toBe('1.50 KiB/s')
    expect(formatBytes(512 * 1024 ** 2)).toBe('512.0 MiB')
    expect(formatRate(1, 0)).toBe('-')
  })
})
