/** Kernel errno values hostsim reports, with the strerror(3) text glibc prints. */
export const ERRNO_TEXT = {
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EBUSY: 'Device or resource busy',
  ENODEV: 'No such device',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  EINVAL: 'Invalid argument',
  ERANGE: 'Numerical result out of range',
  EOVERFLOW: 'Value too large for defined data type',
  ENOMEM: 'Cannot allocate memory',
  EOPNOTSUPP: 'Operation not supported',
  EPROTONOSUPPORT: 'Protocol not supported',
} as const;
export type Errno = keyof typeof ERRNO_TEXT;

/** A failed system call inside the simulated kernel. */
export class KernelError extends Error {
  readonly code = 'KERNEL_ERROR';
  constructor(readonly errno: Errno) {
    super(ERRNO_TEXT[errno]);
  }
}
