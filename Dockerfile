# API image: migrations are applied at start with the project's Prisma wrapper.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY tools ./tools
COPY prisma ./prisma
COPY prisma.config.ts ./
RUN npm ci --no-audit --no-fund
COPY . .
# MALLOC_*: as deploy/systemd/netpin-api.service (docs/benchmarks.md, Scale)
ENV NODE_ENV=production SWC_NODE_PROJECT=tsconfig.json MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072
EXPOSE 3000
CMD ["sh", "-c", "node tools/prisma.cjs migrate deploy && node -r @swc-node/register apps/api/src/main.ts"]
