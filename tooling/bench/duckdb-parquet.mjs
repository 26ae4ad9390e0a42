// DuckDB peer, run as its own process so /usr/bin/time measures its peak RSS alone:
//   node duckdb-parquet.mjs pack <file.csv> <out.parquet> [zstd level]   CSV -> Parquet (zstd)
//   node duckdb-parquet.mjs unpack <in.parquet> <out.csv>                 Parquet -> CSV with a header row
import { DuckDBInstance } from '@duckdb/node-api'

const [mode, input, output, level] = process.argv.slice(2)
const quote = (text) => `'${text.replaceAll("'", "''")}'`

if (!['pack', 'unpack'].includes(mode) || !input || !output) {
  console.error('usage: duckdb-parquet.mjs pack|unpack <input> <output> [level]')
  process.exit(2)
}

const instance = await DuckDBInstance.create(':memory:')
const connection = await instance.connect()
if (mode === 'pack') {
  const levelOption = level ? `, COMPRESSION_LEVEL ${Number.parseInt(level, 10)}` : ''
  await connection.run(
    `COPY (SELECT * FROM read_csv(${quote(input)})) TO ${quote(output)} ` +
      `(FORMAT parquet, COMPRESSION zstd${levelOption})`,
  )
} else {
  await connection.run(
    `COPY (SELECT * FROM read_parquet(${quote(input)})) TO ${quote(output)} (FORMAT csv, HEADER)`,
  )
}
connection.closeSync()
instance.closeSync()
