import { existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { makeFolder } from '../src/folders.js'

const work = mkdtempSync(join(tmpdir(), 'astropack-folders-'))

describe('makeFolder', () => {
  it('makes every missing folder of a path, and leaves one that exists', async () => {
    const deep = join(work, 'a', 'b', 'c')
    await makeFolder(deep)
    expect(statSync(deep).isDirectory()).toBe(true)
    await makeFolder(deep)
    await makeFolder(join(work, 'a'))
  })

  it('makes the same folders from two calls at once', async () => {
    const deep = join(work, 'both', 'x', 'y')
    await Promise.all([makeFolder(deep), makeFolder(deep)])
    expect(statSync(deep).isDirectory()).toBe(true)
  })

  it('names a file in the way, as a typed error', async () => {
    const file = join(work, 'file.txt')
    writeFileSync(file, 'mine')
    await expect(makeFolder(file)).rejects.toMatchObject({
      code: 'IO',
      message: `cannot create folder ${file}: a file is in the way`,
    })
    await expect(makeFolder(join(file, 'below'))).rejects.toMatchObject({ code: 'IO' })
  })

  // /proc answers "not found" for any new name in it: Node's recursive mkdir retries that forever.
  it.skipIf(!existsSync('/proc/sys'))(
    'fails at once where a new folder is not found in one that exists',
    async () => {
      await expect(makeFolder('/proc/sys/astropack-test/out')).rejects.toMatchObject({
        code: 'IO',
        message: expect.stringMatching(/^cannot create folder \/proc\/sys\/astropack-test\/out: ENOENT/),
      })
    },
  )
})
