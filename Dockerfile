# edugateway: one image for every role (scheduler, web, migrations, doctor, emulators); the command picks it.
#   docker build -t edugateway .
#   docker run --rm edugateway --help
# Stage 1 builds the wheel, so the image holds the package as released, not the source tree.
FROM python:3.12-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /dist .

FROM python:3.12-slim-bookworm
LABEL org.opencontainers.image.title="edugateway" \
      org.opencontainers.image.description="Gateway between a school's database and ГИС ЕЦП, Дневник.ру/ИСУОД and ЕСИА (СМЭВ 3)" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://example.invalid/edugateway"
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    EDUGATEWAY_CONFIG=/etc/edugateway/gateway.toml \
    EDUGATEWAY_DATA_DIR=/var/lib/edugateway \
    EDUGATEWAY_LOG_FORMAT=json
# tzdata: schools' time zones (zoneinfo) for the scheduler; openssl and its GOST engine: signing СМЭВ messages.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tzdata openssl libengine-gost-openssl \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /dist /dist
# The postgres extra only: no dev dependencies in the image.
RUN pip install --no-cache-dir "$(ls /dist/edugateway-*.whl)[postgres]" && rm -rf /dist
RUN useradd --system --uid 10001 --user-group --home-dir /var/lib/edugateway --shell /usr/sbin/nologin edugateway \
 && mkdir -p /var/lib/edugateway /etc/edugateway \
 && chown edugateway:edugateway /var/lib/edugateway
USER edugateway
WORKDIR /var/lib/edugateway
VOLUME ["/var/lib/edugateway"]
EXPOSE 8080
ENTRYPOINT ["edugateway"]
CMD ["scheduler", "run"]
