import { planCsv } from './csv.js'
import { planEcsv } from './ecsv.js'
import { planFits } from './fits.js'
import { planFixedWidth } from './fixed-width.js'
import { planHdf5 } from './hdf5.js'
import { MIN_TYPED_BYTES, OPAQUE, type PlannedSegment, type PlanSource } from './segments.js'

export type { PlannedSegment, PlanSource } from './segments.js'

/** Plans how a file is stored: typed where a reader recognises its layout, opaque bytes otherwise. */
export async function planFile(source: PlanSource, head: Uint8Array): Promise<PlannedSegment[]> {
  const whole: PlannedSegment[] = [{ layout: 'bytes', start: 0, end: source.byteLength, candidates: OPAQUE }]
  if (source.byteLength < MIN_TYPED_BYTES) return whole
  return (
    (await planFits(source, head)) ??
    (await planHdf5(source, head)) ??
    (await planEcsv(source, head)) ??
    (await planCsv(source, head)) ??
    (await planFixedWidth(source, head)) ??
    whole
  )
}
