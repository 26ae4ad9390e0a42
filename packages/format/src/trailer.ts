import { crc32 } from '@astropack/codecs'
import { equalBytes, getU64, setU64, viewOf } from './bytes.js'
import { AstropackError } from './errors.js'
import {
  FEATURE_NAMES,
  HEADER_SIZE,
  KNOWN_REQUIRED_FEATURES,
  MAGIC,
  TRAILER,
  TRAILER_SIZE,
  VERSION_MAJOR,
  VERSION_MINOR,
} from './spec.js'

export interface Trailer {
  indexOffset: number
  indexStoredSize: number
  indexRawSize: number
  packageSize: number
  indexCrc32: number
  indexCodec: number
  versionMajor: number
  versionMinor: number
  requiredFeatures: number
  optionalFeatures: number
}

export function encodeHeader(): Uint8Array {
  const header = new Uint8Array(HEADER_SIZE)
  header.set(MAGIC, 0)
  const view = viewOf(header)
  view.setUint16(8, VERSION_MAJOR, true)
  view.setUint16(10, VERSION_MINOR, true)
  return header
}

export function checkHeader(header: Uint8Array): void {
  if (header.byteLength < HEADER_SIZE || !equalBytes(header.subarray(0, MAGIC.length), MAGIC)) {
    throw new AstropackError('BAD_MAGIC', 'not an .astropack package (bad magic at offset 0)')
  }
  const view = viewOf(header)
  const major = view.getUint16(8, true)
  if (major !== VERSION_MAJOR) {
    throw new AstropackError(
      'UNSUPPORTED_VERSION',
      `package format version ${major} (this reader knows ${VERSION_MAJOR})`,
    )
  }
  if (view.getUint32(12, true) !== 0) {
    throw new AstropackError('CORRUPT_INDEX', 'reserved header bytes 12-15 are not zero', { offset: 12 })
  }
}

/** After checkHeader: the header must repeat the trailer's minor version, so every header byte is checked. */
export function checkHeaderMatches(header: Uint8Array, trailer: Trailer): void {
  const minor = viewOf(header).getUint16(10, true)
  if (minor !== trailer.versionMinor) {
    throw new AstropackError(
      'CORRUPT_INDEX',
      `header says version 1.${minor}, trailer 1.${trailer.versionMinor}`,
      {
        offset: 10,
      },
    )
  }
}

export function encodeTrailer(trailer: Trailer): Uint8Array {
  const bytes = new Uint8Array(TRAILER_SIZE)
  const view = viewOf(bytes)
  setU64(view, TRAILER.indexOffset, trailer.indexOffset)
  setU64(view, TRAILER.indexStoredSize, trailer.indexStoredSize)
  setU64(view, TRAILER.indexRawSize, trailer.indexRawSize)
  setU64(view, TRAILER.packageSize, trailer.packageSize)
  view.setUint32(TRAILER.indexCrc32, trailer.indexCrc32, true)
  view.setUint16(TRAILER.indexCodec, trailer.indexCodec, true)
  view.setUint16(TRAILER.versionMajor, trailer.versionMajor, true)
  view.setUint16(TRAILER.versionMinor, trailer.versionMinor, true)
  view.setUint32(TRAILER.requiredFeatures, trailer.requiredFeatures, true)
  view.setUint32(TRAILER.optionalFeatures, trailer.optionalFeatures, true)
  view.setUint32(TRAILER.trailerCrc32, crc32(bytes.subarray(0, TRAILER.trailerCrc32)), true)
  bytes.set(MAGIC, TRAILER.magic)
  return bytes
}

/** Decodes and checks the trailer; `packageSize` is the real size of the source it came from. */
export function decodeTrailer(bytes: Uint8Array, packageSize: number): Trailer {
  if (packageSize < HEADER_SIZE + TRAILER_SIZE) {
    throw new AstropackError('TRUNCATED', `${packageSize} bytes is too small for a package`)
  }
  if (!equalBytes(bytes.subarray(TRAILER.magic, TRAILER.magic + MAGIC.length), MAGIC)) {
    throw new AstropackError(
      'TRUNCATED',
      'no trailer at the end of the package (truncated, or not a package)',
    )
  }
  const view = viewOf(bytes)
  const stored = view.getUint32(TRAILER.trailerCrc32, true)
  if (crc32(bytes.subarray(0, TRAILER.trailerCrc32)) !== stored) {
    throw new AstropackError(
      'CHECKSUM_MISMATCH',
      `trailer checksum mismatch at offset ${packageSize - TRAILER_SIZE}`,
    )
  }
  const trailer: Trailer = {
    indexOffset: getU64(view, TRAILER.indexOffset),
    indexStoredSize: getU64(view, TRAILER.indexStoredSize),
    indexRawSize: getU64(view, TRAILER.indexRawSize),
    packageSize: getU64(view, TRAILER.packageSize),
    indexCrc32: view.getUint32(TRAILER.indexCrc32, true),
    indexCodec: view.getUint16(TRAILER.indexCodec, true),
    versionMajor: view.getUint16(TRAILER.versionMajor, true),
    versionMinor: view.getUint16(TRAILER.versionMinor, true),
    requiredFeatures: view.getUint32(TRAILER.requiredFeatures, true),
    optionalFeatures: view.getUint32(TRAILER.optionalFeatures, true),
  }
  if (trailer.versionMajor !== VERSION_MAJOR) {
    throw new AstropackError(
      'UNSUPPORTED_VERSION',
      `package format version ${trailer.versionMajor}.${trailer.versionMinor} (this reader knows ${VERSION_MAJOR}.x)`,
    )
  }
  const unknown = trailer.requiredFeatures & ~KNOWN_REQUIRED_FEATURES
  if (unknown !== 0) {
    const names = featureNames(unknown)
    throw new AstropackError(
      'UNSUPPORTED_FEATURE',
      `package requires feature(s) this reader lacks: ${names.join(', ')}`,
    )
  }
  if (trailer.packageSize !== packageSize) {
    throw new AstropackError(
      'TRUNCATED',
      `package declares ${trailer.packageSize} bytes but the source has ${packageSize} (truncated or appended to)`,
    )
  }
  if (
    trailer.indexOffset < HEADER_SIZE ||
    trailer.indexOffset + trailer.indexStoredSize !== packageSize - TRAILER_SIZE
  ) {
    throw new AstropackError(
      'CORRUPT_INDEX',
      `index range [${trailer.indexOffset}, +${trailer.indexStoredSize}) is invalid`,
    )
  }
  return trailer
}

function featureNames(bits: number): string[] {
  const names: string[] = []
  for (let bit = 0; bit < 32; bit++) {
    if (bits & (1 << bit)) names.push(FEATURE_NAMES.get(bit) ?? `feature bit ${bit}`)
  }
  return names
}
