export interface Progress {
  phase: 'pack' | 'unpack' | 'validate'
  bytesDone: number
  bytesTotal: number
  entry?: string
}
