import type { NextFunction, Request, Response } from 'express';
import type { ApiMetrics } from './api-metrics';
import { routeLabel } from './samples';

/** Express middleware timing every request; labelled by route pattern once the response is sent. */
export function httpMetrics(metrics: ApiMetrics): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.httpDuration.observe({ method: req.method, route: routeLabel(req, res.statusCode), status: String(res.statusCode) }, seconds);
    });
    next();
  };
}
