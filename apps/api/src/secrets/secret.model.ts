import { GraphQLISODateTime, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { Prop } from '../common/prop';

@ObjectType({ description: 'An SSH private key stored encrypted (AES-256-GCM); only its public half is ever shown' })
export class SshSecret {
  @Prop(ID) id!: string;
  @Prop(String, { description: 'Hosts use it as credentialRef "secret:<name>"' }) name!: string;
  @Prop(String, { description: 'SHA256 fingerprint of the public key, as ssh-keygen -l prints it' }) fingerprint!: string;
  @Prop(String, { description: 'The public key, as an authorized_keys line' }) publicKey!: string;
  @Prop(String, { description: 'Id of the master key it is encrypted under' }) keyId!: string;
  @Prop(Boolean, { description: 'Encrypted under the current master key (false: rotateSshSecrets would re-encrypt it)' })
  current!: boolean;
  @Prop(String, { array: true, description: 'Names of the hosts whose credentialRef is "secret:<name>"' }) hosts!: string[];
  @Prop(String, { nullable: true }) createdBy!: string | null;
  @Prop(GraphQLISODateTime) createdAt!: Date;
  @Prop(GraphQLISODateTime) updatedAt!: Date;
}

@InputType()
export class CreateSshSecretInput {
  @Prop(String, { example: 'rack-12' }) name!: string;
  @Prop(String, { description: 'An unencrypted OpenSSH or PEM private key. Stored encrypted; never returned, logged or audited.' })
  privateKey!: string;
}

@ObjectType()
export class SshSecretRotation {
  @Prop(Int, { description: 'Secrets re-encrypted (all of them)' }) reencrypted!: number;
  @Prop(String, { description: 'Id of the master key they are now encrypted under' }) keyId!: string;
}
