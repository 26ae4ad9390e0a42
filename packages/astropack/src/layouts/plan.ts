import { planCsv } from './csv.js'
import { planEcsv } from './ecsv.js'
import { planFits } from './fits.js'
import { planFixedWidth } from './fixed-width.js'
import { planHdf5 } from './hdf5.js'
import { MIN_TYPED_BYTES, OPAQUE, type PlannedSegment } from './segments.js'

export type { PlannedSegment } from './segments.js'

/** Plans how a file is stored: typed where a reader recognises its layout, opaque bytes otherwise. */
export async function planFile(path: string, size: number, head: Uint8Array): Promise<PlannedSegment[]> {
  const whole: PlannedSegment[] = [{ layout: 'bytes', start: 0, end: size, candidates: OPAQUE }]
  if (size < MIN_TYPED_BYTES) return whole
  return (
    (await planFits(path, size, head)) ??
    (await planHdf5(path, size, head)) ??
    (await planEcsv(path, size, head)) ??
    (await planCsv(path, size, head)) ??
    (await planFixedWidth(path, size, head)) ??
    whole
  )
}
