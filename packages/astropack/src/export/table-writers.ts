import type { ByteSink } from '@astropack/format'
import { writeArrowIpc } from './arrow-ipc.js'
import { writeCsv } from './csv.js'
import type { TableStream } from './table-stream.js'

/** How each table format is written. Loaded only by a table export: Arrow and the FITS reader are big. */
export const TABLE_WRITERS = {
  // parquet-wasm compiles its WebAssembly when imported: only a Parquet export pays for it.
  parquet: async (stream: TableStream, sink: ByteSink) => {
    const { writeParquetFile } = await import('./parquet.js')
    // Bytes a row takes in the file, which sizes the row groups: the manifest's row count will do when
    // the rows are not counted yet.
    const rows = stream.rowCount ?? stream.table.rows ?? 1
    await writeParquetFile(stream.schema, stream.batches, stream.tableBytes / Math.max(1, rows), sink)
  },
  arrow: (stream: TableStream, sink: ByteSink) => writeArrowIpc(stream.schema, stream.batches, sink),
  csv: (stream: TableStream, sink: ByteSink) => writeCsv(stream.schema, stream.batches, sink),
  fits: async (stream: TableStream, sink: ByteSink) => {
    const { writeFitsTable } = await import('./fits.js')
    await writeFitsTable(stream, sink)
  },
}

/** Formats written by a library that opens the file itself, by its (temporary) path. */
export const FILE_WRITERS = {
  // h5wasm compiles the HDF5 library when imported: only an HDF5 export pays for it.
  hdf5: async (stream: TableStream, path: string) => {
    const { writeHdf5Table } = await import('./hdf5.js')
    await writeHdf5Table(stream, path)
  },
}
