import { type FitsHeader, headerNumber, headerString, headerValue } from './header.js'

/** What a table header says about column n apart from its storage: name, unit, meaning, scaling, nulls. */
export interface ColumnMeta {
  /** FITS column number n (1-based), as in TTYPEn. */
  n: number
  /** TTYPEn without trailing spaces, or `col<n>` when absent. */
  name: string
  unit: string | undefined
  /** TUCDn, the IVOA UCD. */
  ucd: string | undefined
  /** TCOMMn, else the comment on the TTYPEn card when it says more than a default label. */
  description: string | undefined
  /** TDISPn, the display format. */
  display: string | undefined
  /** TSCALn (default 1). */
  scale: number
  /** TZEROn (default 0); bigint when beyond 2^53, e.g. 9223372036854775808 for unsigned 64-bit. */
  zero: number | bigint
  /** TNULLn: an integer for binary tables, the null string for ASCII tables. */
  null: number | bigint | string | undefined
}

// cfitsio and others write `label for field   1` as the TTYPE comment; that says nothing.
const DEFAULT_LABEL = /^label for field\s*\d+$/i

export function readColumnMeta(header: FitsHeader, n: number): ColumnMeta {
  const ttype = header.byKeyword.get(`TTYPE${n}`)
  const name = typeof ttype?.value === 'string' && ttype.value.trim() !== '' ? ttype.value.trim() : `col${n}`
  const typeComment = ttype?.comment && !DEFAULT_LABEL.test(ttype.comment) ? ttype.comment : undefined
  const zero = headerValue(header, `TZERO${n}`)
  const nullValue = headerValue(header, `TNULL${n}`)
  return {
    n,
    name,
    unit: nonEmpty(headerString(header, `TUNIT${n}`)),
    ucd: nonEmpty(headerString(header, `TUCD${n}`)),
    description: nonEmpty(headerString(header, `TCOMM${n}`)) ?? typeComment,
    display: nonEmpty(headerString(header, `TDISP${n}`)),
    scale: headerNumber(header, `TSCAL${n}`) ?? 1,
    zero: typeof zero === 'number' || typeof zero === 'bigint' ? zero : 0,
    null:
      typeof nullValue === 'number' || typeof nullValue === 'bigint' || typeof nullValue === 'string'
        ? nullValue
        : undefined,
  }
}

function nonEmpty(text: string | undefined): string | undefined {
  const trimmed = text?.trim()
  return trimmed === undefined || trimmed === '' ? undefined : trimmed
}

/** True when TSCAL/TZERO change the stored values (not the identity). */
export function isScaled(meta: ColumnMeta): boolean {
  return meta.scale !== 1 || (typeof meta.zero === 'bigint' ? meta.zero !== 0n : meta.zero !== 0)
}
