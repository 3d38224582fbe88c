// Node-shaped system errors (code, errno, syscall) for failures detected in TypeScript, such as
// an NLMSG_ERROR reply, so they look exactly like the ones the addon throws.
import { getSystemErrorMap } from 'node:util'
import type { NativeSystemError } from './binding.js'

/** errno: positive errno number as the kernel reports it. */
export function systemError (errno: number, syscall: string, detail?: string): NativeSystemError {
  const [code, description] = getSystemErrorMap().get(-errno) ?? [`E${errno}`, 'unknown system error']
  const err = new Error(`${code}: ${description}, ${syscall}${detail ? ` (${detail})` : ''}`) as NativeSystemError
  err.code = code
  err.errno = -errno
  err.syscall = syscall
  return err
}

export function isSystemError (value: unknown): value is NativeSystemError {
  return value instanceof Error && typeof (value as NativeSystemError).code === 'string' &&
    typeof (value as NativeSystemError).errno === 'number'
}
