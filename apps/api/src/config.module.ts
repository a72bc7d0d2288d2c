import { Global, Module, type DynamicModule } from '@nestjs/common';
import { API_CONFIG, type ApiConfig } from './config';
import { APP_OPTIONS, type AppRuntimeOptions } from './runtime';

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: ApiConfig, runtime: AppRuntimeOptions): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: API_CONFIG, useValue: config },
        { provide: APP_OPTIONS, useValue: runtime },
      ],
      exports: [API_CONFIG, APP_OPTIONS],
    };
  }
}
