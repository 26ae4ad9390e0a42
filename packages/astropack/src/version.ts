import { createRequire } from 'node:module'

export const TOOL_NAME = 'astropack'
export const TOOL_VERSION: string = createRequire(import.meta.url)('../package.json').version
