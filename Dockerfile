# The ledger, built from a clean checkout with the README's own commands (npm ci, npm run build).
FROM node:20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps ./apps
COPY libs ./libs
RUN npm run build && npm prune --omit=dev

# Same Debian release as the build stage, so better-sqlite3's native module loads as built.
FROM node:20-bookworm-slim
# The token key (without LEDGER_TOKEN_KEY) and the generated credentials (without LEDGER_API_KEYS) live in their own
# volume, never in the data directory: a copy of /data must not derive tokens or hold a key (it keeps only hashes).
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 LEDGER_DATA_DIR=/data LEDGER_SECRETS_DIR=/secrets
WORKDIR /app
COPY --from=build /app/package.json /app/tsconfig.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
RUN mkdir -p /data /secrets && chown node:node /data /secrets && chmod 700 /data /secrets
USER node
VOLUME ["/data", "/secrets"]
EXPOSE 3000
# Readiness: the store answers and the views are caught up. Kafka is deliberately not part of it (a broker outage
# must not mark every instance unhealthy); /health/publisher is for alerting on the publisher.
HEALTHCHECK --interval=5s --timeout=3s --retries=12 CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/ready').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
CMD ["npm", "run", "start:prod"]
