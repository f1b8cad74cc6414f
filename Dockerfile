# CaseBridge hub image. Build: docker build -t casebridge .
# Run:   docker run -v /etc/casebridge:/config -e CASEBRIDGE_CONFIG=/config/hub.yaml \
#          -e CASEBRIDGE_PLATFORM_TOKEN_FILE=/run/secrets/platform_token … casebridge run --config /config/hub.yaml
# (config/compose.yaml does all of this; see config/README.md, "Deployment".)
# Base images are pinned to an exact version; to pin by digest too see config/README.md.
# Stage 1 compiles the product (src + adapters: tsconfig.product.json) with dev dependencies;
# stage 2 carries only production ones. No test, simulator or demo is in the image.
FROM node:26.11.1-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.product.json ./
RUN npm ci --ignore-scripts
COPY src ./src
COPY adapters ./adapters
COPY schemas ./schemas
RUN npx tsc -p tsconfig.product.json

FROM node:26.11.1-bookworm-slim
ENV NODE_ENV=production
# The configuration the hub runs with; the HEALTHCHECK reads it for the admin port. Keep it and
# CMD's --config the same file when overriding either.
ENV CASEBRIDGE_CONFIG=/app/config/production.example.yaml
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY schemas ./schemas
COPY mappings ./mappings
COPY config ./config
USER node
EXPOSE 4000
# The admin API's liveness route, on the port the configuration in CASEBRIDGE_CONFIG sets.
HEALTHCHECK --interval=30s --timeout=10s --start-period=20s --retries=3 \
  CMD ["node", "dist/src/cli/healthcheck-main.js"]
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["run", "--config", "/app/config/production.example.yaml"]
