# API image: the bundle of `npm run build` (dist/api, with the web UI), as the systemd unit runs
# it; migrations are applied at start with the project's Prisma wrapper. Running the bundle
# instead of compiling the TypeScript at start (@swc-node/register) starts faster and uses
# ~100 MiB less memory (docs/benchmarks.md, Scale).
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY tools ./tools
COPY prisma ./prisma
COPY prisma.config.ts ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build -- api
# MALLOC_*, NODE_OPTIONS: as deploy/systemd/netpin-api.service (docs/benchmarks.md, Scale)
ENV NODE_ENV=production MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072 NODE_OPTIONS=--max-semi-space-size=4
EXPOSE 3000
CMD ["sh", "-c", "node tools/prisma.cjs migrate deploy && exec node dist/api/main.js"]
