/**
 * The packing API (worker pools, readers, Arrow) is loaded only by the commands that use it, so
 * `astropack --help`, `ls` and `cat` start fast.
 */
export const loadApi = () => import('astropack')
