import { z } from 'zod';
import { resourceNameSchema } from './values';

/** Longest private key accepted (an OpenSSH RSA-16384 key is about 12 kB). */
export const SSH_PRIVATE_KEY_MAX_CHARS = 16_384;

/**
 * Input of createSshSecret. The key is parsed (ssh2) by the API, which may import ssh2;
 * this schema only bounds it. Messages never quote the value.
 */
export const createSshSecretInputSchema = z.object({
  name: resourceNameSchema,
  privateKey: z
    .string({ message: 'privateKey must be the text of an unencrypted SSH private key' })
    .min(1, 'privateKey must not be empty')
    .max(SSH_PRIVATE_KEY_MAX_CHARS, `privateKey must be at most ${SSH_PRIVATE_KEY_MAX_CHARS} characters`),
});
export type CreateSshSecretInput = z.output<typeof createSshSecretInputSchema>;

/** The name a "secret:<name>" credential reference points at, or null for any other reference. */
export function secretNameOf(credentialRef: string): string | null {
  return credentialRef.startsWith('secret:') ? credentialRef.slice('secret:'.length) : null;
}
