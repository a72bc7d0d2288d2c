import { Global, Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { AuditInterceptor } from './audit.interceptor';
import { AuthFailures } from './auth-failures';
import { RefusalAudit } from './refusal-audit';
import { AuditQueryService } from './audit-query.service';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthResolver } from './auth.resolver';
import { AuthService } from './auth.service';
import { TokenThrottlerGuard } from './throttle.guard';

@Global()
@Module({
  controllers: [AuthController],
  // the rate limit runs first: it resolves the caller and counts refused requests too
  providers: [
    AuthService,
    AuthFailures,
    RefusalAudit,
    AuditQueryService,
    AuthResolver,
    { provide: APP_GUARD, useClass: TokenThrottlerGuard },
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
  ],
  exports: [AuthService],
})
export class AuthModule {}
