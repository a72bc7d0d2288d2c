import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuditBinding } from './audit-binding';
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
    // bound to the handlers that change state only (AuditBinding), not to every request
    AuditInterceptor,
    AuditBinding,
  ],
  exports: [AuthService],
})
export class AuthModule {}
