import { InvalidArgumentError, Option } from 'commander'

export function intOption(flags: string, description: string, min: number): Option {
  return new Option(flags, description).argParser((value: string) => {
    const parsed = Number(value)
    if (!Number.isInteger(parsed) || parsed < min)
      throw new InvalidArgumentError(`must be an integer >= ${min}`)
    return parsed
  })
}

/** `--level N`, or `--level max` for the codec's highest level. */
export function levelOption(): Option {
  return new Option('--level <n>', 'compression level (zstd 1-22, gzip 1-9) or "max"').argParser(
    (value: string) => {
      if (value === 'max') return value
      const parsed = Number(value)
      if (!Number.isInteger(parsed)) throw new InvalidArgumentError('must be an integer or "max"')
      return parsed
    },
  )
}

export function codecOption(): Option {
  return new Option('--codec <name>', 'compression codec')
    .choices(['zstd', 'lz4', 'gzip', 'none'])
    .default('zstd')
}

/** `--no-direct-io`: large outputs through the page cache, as other tools write them. */
export function directIoOption(): Option {
  return new Option(
    '--no-direct-io',
    'write outputs of 64 MiB or more through the page cache (by default they bypass it where the system allows)',
  )
}
