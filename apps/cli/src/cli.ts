import { createRequire } from 'node:module'
import { Command, CommanderError } from 'commander'
import { registerColumn } from './commands/column.js'
import { registerExport } from './commands/export.js'
import { registerInspect } from './commands/inspect.js'
import { registerPack } from './commands/pack.js'
import { registerTables } from './commands/tables.js'
import { registerUnpack } from './commands/unpack.js'
import { registerValidate } from './commands/validate.js'
import { describeError, exitCodeFor } from './errors.js'

const version: string = createRequire(import.meta.url)('../package.json').version

const program = new Command('astropack')
  .description('Package, check and read astronomical survey data as .astropack files')
  .version(version)
  .option('--debug', 'show stack traces on errors')
  .exitOverride()
  .showHelpAfterError('(run astropack --help for usage)')
registerPack(program)
registerUnpack(program)
registerValidate(program)
registerInspect(program)
registerTables(program)
registerColumn(program)
registerExport(program)
for (const command of program.commands) command.exitOverride()

// A closed pipe (astropack cat big.fits | head) is the reader's choice, not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0)
  throw error
})

try {
  await program.parseAsync(process.argv)
} catch (error) {
  // Commander has already printed its own usage errors.
  if (!(error instanceof CommanderError)) console.error(describeError(error, program.opts().debug === true))
  process.exitCode = exitCodeFor(error)
}
