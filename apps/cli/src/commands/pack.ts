import { readdir } from 'node:fs/promises'
import { type CodecName, loadCodec } from '@astropack/codecs'
import type { Command } from 'commander'
import { EXIT_INVALID } from '../errors.js'
import { loadApi } from '../load-api.js'
import { codecOption, directIoOption, intOption, levelOption } from '../options.js'
import { formatBytes, formatRate, printJson, progressBar } from '../output.js'

interface PackFlags {
  output: string
  survey?: string
  codec: CodecName
  level?: number | 'max'
  threads?: number
  overwrite?: boolean
  directIo: boolean
  json?: boolean
}

async function resolveLevel(
  codec: CodecName,
  level: number | 'max' | undefined,
): Promise<number | undefined> {
  return level === 'max' ? (await loadCodec(codec)).levels.max : level
}

export function registerPack(program: Command): void {
  program
    .command('pack')
    .description('pack a folder (or one file) into one .astropack file')
    .argument('<path>', 'folder (or file) to pack')
    .requiredOption('-o, --output <file>', 'package to write')
    .option('--survey <name>', 'survey name recorded in the manifest')
    .addOption(codecOption())
    .addOption(levelOption())
    .addOption(intOption('--threads <n>', 'worker threads (default: all cores)', 1))
    .option('--overwrite', 'replace an existing package')
    .addOption(directIoOption())
    .option('--json', 'print the result as JSON')
    .action(async (dir: string, flags: PackFlags) => {
      const bar = progressBar(!flags.json)
      const { packFolder } = await loadApi()
      const result = await packFolder({
        sourcePath: dir,
        outputPath: flags.output,
        surveyName: flags.survey,
        compression: flags.codec,
        level: await resolveLevel(flags.codec, flags.level),
        threads: flags.threads,
        overwrite: flags.overwrite,
        directIo: flags.directIo,
        onProgress: bar.update,
      }).finally(bar.stop)
      if (flags.json) return printJson(result)
      console.log(
        `packed ${result.files} files (${formatBytes(result.inputBytes)}) into ${result.outputPath}: ` +
          `${formatBytes(result.packageBytes)}, ratio ${result.ratio.toFixed(2)}, ` +
          `${result.seconds.toFixed(2)} s (${formatRate(result.inputBytes, result.seconds)})`,
      )
    })

  program
    .command('batch')
    .description('pack each survey folder of <dir> into <output>/<survey>.astropack')
    .argument('<dir>', 'folder holding one subfolder per survey')
    .requiredOption('-o, --output <dir>', 'folder for the packages')
    .option('--surveys <names>', 'comma-separated survey folders (default: every subfolder)')
    .addOption(codecOption())
    .addOption(levelOption())
    .addOption(intOption('--threads <n>', 'worker threads (default: all cores)', 1))
    .option('--overwrite', 'replace existing packages')
    .addOption(directIoOption())
    .option('--json', 'print the results as JSON')
    .action(async (dir: string, flags: PackFlags & { surveys?: string }) => {
      const surveys = flags.surveys
        ? flags.surveys.split(',').filter(Boolean)
        : (await readdir(dir, { withFileTypes: true }))
            .filter((d) => d.isDirectory())
            .map((d) => d.name)
            .sort()
      const { batchPackSurveys } = await loadApi()
      const results = await batchPackSurveys({
        surveys,
        sourceDir: dir,
        outputDir: flags.output,
        compression: flags.codec,
        level: await resolveLevel(flags.codec, flags.level),
        threads: flags.threads,
        overwrite: flags.overwrite,
        directIo: flags.directIo,
      })
      if (flags.json) printJson(results)
      else {
        for (const { survey, outputPath, result, error } of results) {
          console.log(
            result
              ? `${survey}: ${outputPath} ${formatBytes(result.packageBytes)}, ratio ${result.ratio.toFixed(2)}`
              : `${survey}: FAILED ${error?.message} [${error?.code}]`,
          )
        }
      }
      if (results.some((item) => item.error)) process.exitCode = EXIT_INVALID
    })
}
