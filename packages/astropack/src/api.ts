import { join } from 'node:path'
import { type CodecName, isAstropackError } from '@astropack/codecs'
import { makeFolder } from './folders.js'
import { type PackOptions, type PackResult, packFolder } from './pack.js'
import type { Progress } from './progress.js'
import { type UnpackResult, unpackPackage } from './unpack.js'

/** The seed API, in TypeScript names. Each call is a thin wrapper over packFolder / unpackPackage. */

export function packSurveyData(options: {
  surveyName: string
  sourcePath: string
  outputPath: string
  compression?: CodecName
  level?: number
  threads?: number
  overwrite?: boolean
  metadata?: Record<string, unknown>
  onProgress?: (progress: Progress) => void
}): Promise<PackResult> {
  return packFolder(options)
}

export function unpackSurveyData(options: {
  packPath: string
  outputPath: string
  overwrite?: boolean
  threads?: number
  onProgress?: (progress: Progress) => void
}): Promise<UnpackResult> {
  return unpackPackage(options)
}

export function packWithCustomCompression(options: {
  sourcePath: string
  outputPath: string
  algorithm: CodecName
  level?: number
  threads?: number
  overwrite?: boolean
}): Promise<PackResult> {
  const { algorithm, ...rest } = options
  return packFolder({ ...rest, compression: algorithm })
}

export interface BatchItemResult {
  survey: string
  outputPath: string
  result?: PackResult
  error?: { code: string; message: string }
}

/**
 * Packs `sourceDir/<survey>` into `outputDir/<survey>.astropack` for each survey, one after another
 * (each pack already uses every core). A failing survey is reported and the others still run.
 */
export async function batchPackSurveys(options: {
  surveys: string[]
  sourceDir: string
  outputDir: string
  compression?: CodecName
  level?: number
  threads?: number
  overwrite?: boolean
  directIo?: boolean
  onProgress?: (survey: string, progress: Progress) => void
}): Promise<BatchItemResult[]> {
  const results: BatchItemResult[] = []
  await makeFolder(options.outputDir)
  for (const survey of options.surveys) {
    const outputPath = join(options.outputDir, `${survey}.astropack`)
    const pack: PackOptions = {
      surveyName: survey,
      sourcePath: join(options.sourceDir, survey),
      outputPath,
      compression: options.compression,
      level: options.level,
      threads: options.threads,
      overwrite: options.overwrite,
      directIo: options.directIo,
      onProgress: (progress) => options.onProgress?.(survey, progress),
    }
    try {
      results.push({ survey, outputPath, result: await packFolder(pack) })
    } catch (error) {
      if (!isAstropackError(error)) throw error
      results.push({ survey, outputPath, error: { code: error.code, message: error.message } })
    }
  }
  return results
}
