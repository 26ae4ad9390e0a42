/**
 * Where an HDF5 file keeps its datasets (`@astropack/readers/hdf5-layout`), read from the file format alone:
 * what packing loads to plan an HDF5 file, without h5wasm or Apache Arrow.
 */
export { type ByteSource, type FileSource, openFileSource } from '../byte-source.js'
export { type Hdf5Chunk, MAX_CHUNKS } from './chunks.js'
export {
  type Hdf5Dataset,
  type Hdf5DatasetStorage,
  type Hdf5Layout,
  locateHdf5Datasets,
  MAX_GROUP_DEPTH,
  MAX_OBJECTS,
} from './locate.js'
export type { Hdf5ByteOrder, Hdf5Datatype, Hdf5Member } from './messages.js'
export { findSignature as findHdf5Signature, HDF5_SIGNATURE, hasHdf5Signature } from './superblock.js'
