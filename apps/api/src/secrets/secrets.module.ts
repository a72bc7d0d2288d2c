import { Module } from '@nestjs/common';
import { loadMasterKeyring, SshSecretRepository, type Db } from '@netpin/db';
import { API_CONFIG, type ApiConfig } from '../config';
import { DB } from '../db/db.module';
import { SecretController } from './secret.controller';
import { SecretResolver } from './secret.resolver';
import { SecretService } from './secret.service';

@Module({
  controllers: [SecretController],
  providers: [
    // loadApiConfig already checked the key variables, so this does not throw at start
    {
      provide: SshSecretRepository,
      inject: [DB, API_CONFIG],
      useFactory: (db: Db, config: ApiConfig) => new SshSecretRepository(db, loadMasterKeyring(config)),
    },
    SecretService,
    SecretResolver,
  ],
})
export class SecretsModule {}
