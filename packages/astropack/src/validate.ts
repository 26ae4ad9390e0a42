import {
  type ByteSource,
  isAstropackError,
  type Manifest,
  type Problem,
  verifyPackage,
} from '@astropack/format'
import { openFile } from '@astropack/format/node'
import { Ajv2020 } from 'ajv/dist/2020.js'
import type { Progress } from './progress.js'

export interface ValidateOptions {
  packPath: string
  /** 'full' (or true) decodes everything and checks each file's SHA-256; 'quick' (or false) checks checksums only. */
  checksumVerification?: 'quick' | 'full' | boolean
  /** A JSON Schema the package's manifest must satisfy (e.g. required survey metadata). */
  expectedSchema?: object
  onProgress?: (progress: Progress) => void
}

export interface ValidateResult {
  isValid: boolean
  errors: Problem[]
  entries: number
  storedBytes: number
  seconds: number
}

export async function validatePackage(options: ValidateOptions): Promise<ValidateResult> {
  const started = performance.now()
  const full = options.checksumVerification === true || options.checksumVerification === 'full'
  let source: ByteSource
  try {
    source = await openFile(options.packPath)
  } catch (error) {
    if (!isAstropackError(error)) throw error
    return {
      isValid: false,
      errors: [{ code: error.code, message: error.message }],
      entries: 0,
      storedBytes: 0,
      seconds: 0,
    }
  }
  try {
    const result = await verifyPackage(source, {
      full,
      onProgress: (bytesDone, bytesTotal) =>
        options.onProgress?.({ phase: 'validate', bytesDone, bytesTotal }),
    })
    const errors = [...result.problems]
    if (options.expectedSchema && result.manifest)
      errors.push(...schemaProblems(result.manifest, options.expectedSchema))
    return {
      isValid: errors.length === 0,
      errors,
      entries: result.entries,
      storedBytes: result.storedBytes,
      seconds: (performance.now() - started) / 1000,
    }
  } finally {
    await source.close?.()
  }
}

function schemaProblems(manifest: Manifest, schema: object): Problem[] {
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema)
  if (validate(manifest)) return []
  return (validate.errors ?? []).map((error) => ({
    code: 'BAD_MANIFEST' as const,
    message: `manifest${error.instancePath} ${error.message} (expected schema)`,
  }))
}
