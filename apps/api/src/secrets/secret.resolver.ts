import { Args, Context, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Allow } from '../auth/auth.decorators';
import type { AuthedRequest } from '../auth/auth.guard';
import { CreateSshSecretInput, SshSecret, SshSecretRotation } from './secret.model';
import { SecretService } from './secret.service';

@Resolver(() => SshSecret)
@Allow('ADMIN')
export class SecretResolver {
  constructor(private readonly secrets: SecretService) {}

  @Query(() => [SshSecret])
  sshSecrets(): Promise<SshSecret[]> {
    return this.secrets.list();
  }

  @Query(() => SshSecret)
  sshSecret(
    @Args('id', { type: () => ID, nullable: true }) id?: string,
    @Args('name', { nullable: true }) name?: string,
  ): Promise<SshSecret> {
    return this.secrets.get({ id, name });
  }

  @Mutation(() => SshSecret, {
    description:
      'Store an SSH private key encrypted; hosts refer to it as credentialRef "secret:<name>". FAILED_PRECONDITION without a master key.',
  })
  createSshSecret(@Args('input') input: CreateSshSecretInput, @Context('req') req: AuthedRequest): Promise<SshSecret> {
    return this.secrets.create(input, req.principal);
  }

  @Mutation(() => SshSecret, { description: 'Refused with CONFLICT while a host uses it' })
  deleteSshSecret(@Args('id', { type: () => ID }) id: string): Promise<SshSecret> {
    return this.secrets.remove(id);
  }

  @Mutation(() => SshSecretRotation, {
    description: 'Re-encrypt every SSH secret under the current master key (see docs/security.md, key rotation)',
  })
  rotateSshSecrets(): Promise<SshSecretRotation> {
    return this.secrets.rotate();
  }
}
