import type { Command } from 'commander'
import { loadApi } from '../load-api.js'
import { directIoOption, intOption } from '../options.js'
import { formatBytes, formatRate, printJson, progressBar } from '../output.js'

export function registerUnpack(program: Command): void {
  program
    .command('unpack')
    .description('unpack a package into a folder, checking every file against its SHA-256')
    .argument('<file>', 'package to unpack')
    .requiredOption('-o, --output <dir>', 'folder to unpack into (created if missing)')
    .option('--overwrite', 'replace existing files')
    .addOption(intOption('--threads <n>', 'worker threads (default: all cores)', 1))
    .addOption(directIoOption())
    .option('--json', 'print the result as JSON')
    .action(
      async (
        file: string,
        flags: { output: string; overwrite?: boolean; threads?: number; directIo: boolean; json?: boolean },
      ) => {
        const bar = progressBar(!flags.json)
        const { unpackPackage } = await loadApi()
        const result = await unpackPackage({
          packPath: file,
          outputPath: flags.output,
          overwrite: flags.overwrite,
          threads: flags.threads,
          directIo: flags.directIo,
          onProgress: bar.update,
        }).finally(bar.stop)
        if (flags.json) return printJson(result)
        console.log(
          `unpacked ${result.files} files (${formatBytes(result.bytes)}) into ${result.outputPath} in ` +
            `${result.seconds.toFixed(2)} s (${formatRate(result.bytes, result.seconds)}), all SHA-256 verified`,
        )
      },
    )
}
