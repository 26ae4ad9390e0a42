import { Bool, type DataType, Float64, Int32, Int64, Utf8 } from 'apache-arrow'
import type { CsvColumnType } from './infer.js'

/** The Arrow type a CSV column of `type` is read as (infer.ts, which packers load, stays without Arrow). */
export function arrowType(type: CsvColumnType): DataType {
  switch (type) {
    case 'int32':
      return new Int32()
    case 'int64':
      return new Int64()
    case 'float64':
      return new Float64()
    case 'bool':
      return new Bool()
    case 'string':
      return new Utf8()
  }
}
