import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { openFile } from '../src/node/file-source.js'

const work = mkdtempSync(join(tmpdir(), 'astropack-file-source-'))

describe('openFile', () => {
  it('reads a regular file in part', async () => {
    const path = join(work, 'bytes.bin')
    writeFileSync(path, Uint8Array.of(1, 2, 3, 4, 5))
    const source = await openFile(path)
    expect(source.byteLength).toBe(5)
    expect([...(await source.slice(1, 4))]).toEqual([2, 3, 4])
    await source.close?.()
  })

  it('refuses a folder', async () => {
    await expect(openFile(work)).rejects.toMatchObject({
      code: 'USAGE',
      message: `${work} is a folder, not a package file`,
    })
  })

  // Opening a FIFO to read waits for a writer: without O_NONBLOCK this test would never end.
  it.skipIf(process.platform === 'win32')(
    'refuses a pipe at once instead of waiting for a writer',
    async () => {
      const fifo = join(work, 'pipe')
      execFileSync('mkfifo', [fifo])
      await expect(openFile(fifo)).rejects.toMatchObject({
        code: 'USAGE',
        message: `${fifo} is a pipe, not a package file`,
      })
    },
  )

  it('says a missing file is not found', async () => {
    await expect(openFile(join(work, 'missing.astropack'))).rejects.toMatchObject({ code: 'NOT_FOUND' })
  })
})
