# CaseBridge hub image. Build: docker build -t casebridge .
# Run:   docker run -v /etc/casebridge:/config -e CASEBRIDGE_PLATFORM_TOKEN=… casebridge run --config /config/hub.yaml
# Stage 1 compiles the product (src + adapters: tsconfig.product.json) with dev dependencies;
# stage 2 carries only production ones. No test, simulator or demo is in the image.
FROM node:26-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.product.json ./
RUN npm ci --ignore-scripts
COPY src ./src
COPY adapters ./adapters
COPY schemas ./schemas
RUN npx tsc -p tsconfig.product.json

FROM node:26-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY schemas ./schemas
COPY mappings ./mappings
COPY config ./config
USER node
EXPOSE 4000
# The admin API's liveness route; the hub listens on 4000 unless the config says otherwise.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:4000/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["run", "--config", "/app/config/production.example.yaml"]
