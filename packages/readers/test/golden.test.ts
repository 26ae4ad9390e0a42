import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, it } from 'vitest'
import { bytesSource, openFileSource } from '../src/index.js'
import { compareWithAstropy } from './helpers/compare-golden.js'
import { loadExpected } from './helpers/golden.js'

const fixtures = join(dirname(fileURLToPath(import.meta.url)), 'fixtures')
const expectedFiles = readdirSync(join(fixtures, 'expected')).filter((name) => name.endsWith('.json'))

describe('golden: fixtures against astropy 5.2.1', () => {
  it('has an expected file for every fixture', () => {
    const fits = readdirSync(fixtures).filter((name) => /\.fits?$/.test(name))
    const described = expectedFiles.map((name) => name.replace(/\.json$/, ''))
    if (fits.sort().join() !== described.sort().join())
      throw new Error(`fixtures ${fits} vs expected ${described}`)
  })

  for (const name of expectedFiles) {
    it(name.replace(/\.json$/, ''), async () => {
      const expected = loadExpected(join(fixtures, 'expected', name))
      await compareWithAstropy(bytesSource(readFileSync(join(fixtures, expected.file))), expected)
    })
  }
})

// Larger real files from the public corpus; the expected JSON is committed, the files are not.
const corpus = process.env.ASTROPACK_CORPUS ?? '/work/corpus'
const corpusFiles: Record<string, string> = {
  'tycho2-07-stars.fits': 'fits_table/tycho2-07-stars.fits',
  'hipparcos-kstars.fits': 'edge/hipparcos-kstars.fits',
  'soho-eit-20040301T000010-128.fits': 'fits_image/soho-eit-20040301T000010-128.fits',
  'sst-crisp-20110505.fits': 'fits_image/sst-crisp-20110505.fits',
}

describe.skipIf(!existsSync(corpus))('golden: corpus files against astropy 5.2.1', () => {
  for (const [name, path] of Object.entries(corpusFiles)) {
    it.skipIf(!existsSync(join(corpus, path)))(
      name,
      async () => {
        const expected = loadExpected(join(fixtures, 'expected', 'corpus', `${name}.json`))
        const source = await openFileSource(join(corpus, path))
        try {
          await compareWithAstropy(source, expected)
        } finally {
          await source.close()
        }
      },
      60_000,
    )
  }
})
