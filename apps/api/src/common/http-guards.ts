import type { NextFunction, Request, Response } from 'express';
import { createHash } from 'node:crypto';

/** Conservative headers for an API that also serves its own UI. */
export function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  next();
}

/**
 * Fixed-window rate limit per caller: the bearer token (hashed) when there is one, else
 * the client address. Answers 429 with RATE_LIMITED and Retry-After. Per process: with
 * several API processes behind a balancer the limit applies per process.
 */
export function rateLimit(perMinute: number): (req: Request, res: Response, next: NextFunction) => void {
  const windows = new Map<string, { start: number; count: number }>();
  return (req, res, next) => {
    if (req.path === '/healthz' || req.path === '/readyz') return next();
    const auth = req.headers.authorization;
    const key = auth ? createHash('sha256').update(auth).digest('hex').slice(0, 32) : `ip:${req.ip}`;
    const now = Date.now();
    let w = windows.get(key);
    if (!w || now - w.start >= 60_000) {
      w = { start: now, count: 0 };
      windows.set(key, w);
      if (windows.size > 50_000) windows.clear();
    }
    if (++w.count > perMinute) {
      res.setHeader('Retry-After', String(Math.ceil((w.start + 60_000 - now) / 1000)));
      res.status(429).json({ statusCode: 429, code: 'RATE_LIMITED', message: `more than ${perMinute} requests per minute` });
      return;
    }
    next();
  };
}
