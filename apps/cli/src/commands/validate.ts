import { readFile } from 'node:fs/promises'
import { AstropackError } from '@astropack/codecs'
import type { Command } from 'commander'
import { EXIT_INVALID, EXIT_USAGE, isUsageCode } from '../errors.js'
import { loadApi } from '../load-api.js'
import { intOption } from '../options.js'
import { formatBytes, formatRate, printJson, progressBar } from '../output.js'

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check a package: index and every chunk checksum; --full also decodes and checks SHA-256')
    .argument('<file>', 'package to check')
    .option('--full', 'decode every chunk and check each file SHA-256')
    .option(
      '--schema <file>',
      'expected schema: JSON Schema of the manifest, with astropackTables for columns',
    )
    .addOption(intOption('--threads <n>', 'worker threads for --full (default: all cores)', 1))
    .option('--json', 'print the result as JSON')
    .action(
      async (file: string, flags: { full?: boolean; schema?: string; threads?: number; json?: boolean }) => {
        const expectedSchema = flags.schema ? await readSchema(flags.schema) : undefined
        const bar = progressBar(!flags.json)
        const { validatePackage } = await loadApi()
        const result = await validatePackage({
          packPath: file,
          checksumVerification: flags.full ? 'full' : 'quick',
          expectedSchema,
          threads: flags.threads,
          onProgress: bar.update,
        }).finally(bar.stop)
        // A package that could not be opened (no such file, a folder) is a usage error, as in every command.
        const unopened =
          result.errors.length > 0 && result.errors.every((problem) => isUsageCode(problem.code))
        if (!result.isValid) process.exitCode = unopened ? EXIT_USAGE : EXIT_INVALID
        if (flags.json) return printJson(result)
        if (unopened) throw new AstropackError(result.errors[0]!.code, result.errors[0]!.message)
        if (result.isValid) {
          const mode = flags.full
            ? 'full: checksums, decoding and SHA-256'
            : 'quick: index and chunk checksums'
          console.log(
            `valid (${mode}): ${result.entries} entries, ${formatBytes(result.storedBytes)} checked in ` +
              `${result.seconds.toFixed(2)} s (${formatRate(result.storedBytes, result.seconds)})`,
          )
          return
        }
        for (const problem of result.errors) {
          const where = [
            problem.entry && `entry ${problem.entry}`,
            problem.offset !== undefined && `offset ${problem.offset}`,
          ]
            .filter(Boolean)
            .join(', ')
          console.error(`invalid: ${problem.message} [${problem.code}]${where ? ` (${where})` : ''}`)
        }
      },
    )
}

async function readSchema(path: string): Promise<object> {
  try {
    return JSON.parse(await readFile(path, 'utf8'))
  } catch (cause) {
    throw new AstropackError('USAGE', `cannot read schema ${path}: ${(cause as Error).message}`, { cause })
  }
}
