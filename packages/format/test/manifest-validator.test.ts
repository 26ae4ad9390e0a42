import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { GENERATED_PATH, manifestValidatorSource } from '../scripts/manifest-validator.ts'
import { manifestProblems } from '../src/manifest.js'

describe('the manifest validator compiled ahead of time', () => {
  it('is what the schema compiles to now (run scripts/manifest-validator.ts after changing the schema)', () => {
    expect(readFileSync(GENERATED_PATH, 'utf8')).toBe(manifestValidatorSource())
  })

  it('checks date-time and lengths as the schema says', () => {
    const good = {
      format: 'astropack',
      specVersion: '1.0',
      created: '2026-11-25T22:51:28.000Z',
      tool: { name: 'astropack', version: '0.1.0' },
    }
    expect(manifestProblems(good)).toEqual([])
    expect(manifestProblems({ ...good, created: '2026-13-45T99:00:00Z' })).toEqual([
      'manifest/created must match format "date-time"',
    ])
    expect(manifestProblems({ ...good, tool: { name: '', version: '1' } })).toEqual([
      'manifest/tool/name must NOT have fewer than 1 characters',
    ])
  })
})
