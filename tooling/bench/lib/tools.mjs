// What is measured: AstroPack (one entry per thread count) and every peer, each as a pack and an unpack
// command over the same original file. Each tool says which files it applies to and whether its round trip
// is byte-exact (then the harness checks the SHA-256 of what comes back).
import { availableParallelism } from 'node:os'
import { basename, dirname, extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const DUCKDB_CHILD = join(here, '..', 'duckdb-parquet.mjs')
const MB = 1e6

const ext = (file) => extname(file).toLowerCase()
const isFits = (file) => ['.fits', '.fit', '.fts'].includes(ext(file))
const isHdf5 = (file) => ['.h5', '.hdf5', '.he5'].includes(ext(file))
const isCsv = (file) => ['.csv', '.tsv'].includes(ext(file))

/**
 * A tool: { id, label, peer, exact, needs (executables), note, applies(path, bytes),
 *   pack(ctx) -> { argv, stdout? }, unpack(ctx) -> { argv, stdout? }, restoredFile(ctx), validate? }
 * ctx = { input (original file), staged (folder holding only the file), packed, restored }
 */
export function astropackTools({ node, cli, threads, extraArgs }) {
  // All cores is the default: run it as users do, without --threads (small inputs then skip the workers).
  const cores = availableParallelism()
  return threads.map((n) => {
    const flag = n === cores ? [] : ['--threads', `${n}`]
    const shown = flag.length ? ` ${flag.join(' ')}` : ''
    return {
      id: `astropack-t${n}`,
      label: `astropack (${n} thread${n === 1 ? '' : 's'}${flag.length ? '' : ', the default'})`,
      peer: false,
      exact: true,
      threads: n,
      needs: [],
      note: `\`astropack pack <dir> -o x.astropack${shown}${extraArgs.length ? ` ${extraArgs.join(' ')}` : ''}\`, \`unpack${shown}\``,
      applies: () => true,
      pack: (c) => ({ argv: [node, cli, 'pack', c.staged, '-o', c.packed, ...flag, ...extraArgs] }),
      unpack: (c) => ({ argv: [node, cli, 'unpack', c.packed, '-o', c.restored, ...flag] }),
      validate: (c, full) => ({ argv: [node, cli, 'validate', c.packed, ...(full ? ['--full'] : [])] }),
      restoredFile: (c) => join(c.restored, basename(c.input)),
    }
  })
}

function streamTool(id, label, bin, level, { threads, maxMB } = {}) {
  const flags = [level, ...(threads ? [`-T${threads}`] : [])]
  return {
    id,
    label,
    peer: true,
    exact: true,
    needs: [bin],
    note:
      `\`${bin} ${flags.join(' ')}\`, decompressed with \`${bin} -d\`` +
      (maxMB ? `; run on files ≤ ${maxMB} MB only (slow)` : ''),
    applies: (_path, bytes) => !maxMB || bytes <= maxMB * MB,
    pack: (c) => ({ argv: [bin, ...flags, '-c', c.input], stdout: c.packed }),
    unpack: (c) => ({ argv: [bin, '-d', '-c', c.packed], stdout: c.restored }),
    restoredFile: (c) => c.restored,
  }
}

export function peerTools({ xzMaxMB, zstd19MaxMB, node }) {
  return [
    streamTool('zstd-1', 'zstd -1', 'zstd', '-1'),
    streamTool('zstd-3', 'zstd -3', 'zstd', '-3'),
    streamTool('zstd-3-T2', 'zstd -3 -T2', 'zstd', '-3', { threads: 2 }),
    streamTool('zstd-19', 'zstd -19', 'zstd', '-19', { maxMB: zstd19MaxMB }),
    streamTool('lz4', 'lz4', 'lz4', '-1'),
    streamTool('gzip-6', 'gzip -6', 'gzip', '-6'),
    streamTool('xz-6', 'xz -6', 'xz', '-6', { maxMB: xzMaxMB, threads: 1 }),
    {
      id: 'fpack',
      label: 'fpack lossless',
      peer: true,
      exact: false,
      needs: ['fpack', 'funpack'],
      note:
        '`fpack -table -g2 -q 0` (tables column-wise, images GZIP_2, lossless), back with `funpack`; ' +
        'same data, new CHECKSUM/DATASUM cards, so not byte-checked',
      applies: (path) => isFits(path),
      pack: (c) => ({ argv: ['fpack', '-table', '-g2', '-q', '0', '-O', c.packed, c.input] }),
      unpack: (c) => ({ argv: ['funpack', '-O', c.restored, c.packed] }),
      restoredFile: (c) => c.restored,
    },
    {
      id: 'h5repack',
      label: 'h5repack',
      peer: true,
      exact: false,
      needs: ['h5repack'],
      note:
        '`h5repack -f SHUF -f GZIP=6`, back with `h5repack -f NONE` (a full decode that writes an ' +
        'unfiltered file again, like unpack); same values in a new file, so not byte-checked',
      applies: (path) => isHdf5(path),
      pack: (c) => ({ argv: ['h5repack', '-f', 'SHUF', '-f', 'GZIP=6', c.input, c.packed] }),
      unpack: (c) => ({ argv: ['h5repack', '-f', 'NONE', c.packed, c.restored] }),
      restoredFile: (c) => c.restored,
    },
    ...[undefined, 19].map((level) => ({
      id: level ? `duckdb-zstd${level}` : 'duckdb-zstd',
      label: level ? `DuckDB parquet zstd${level}` : 'DuckDB parquet zstd',
      peer: true,
      exact: false,
      needs: ['@duckdb/node-api'],
      note:
        `a child \`node duckdb-parquet.mjs\`: \`COPY (SELECT * FROM read_csv(f)) TO x.parquet (FORMAT parquet, ` +
        `COMPRESSION zstd${level ? `, COMPRESSION_LEVEL ${level}` : ''})\`; back: parquet -> CSV with HEADER; ` +
        'same values, not the same bytes',
      applies: (path) => isCsv(path),
      pack: (c) => ({
        argv: [node, DUCKDB_CHILD, 'pack', c.input, c.packed, ...(level ? [`${level}`] : [])],
      }),
      unpack: (c) => ({ argv: [node, DUCKDB_CHILD, 'unpack', c.packed, c.restored] }),
      restoredFile: (c) => c.restored,
    })),
  ]
}
