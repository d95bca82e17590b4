# KernelDigest: multi-stage build. The commands below are the ones .ci/run runs (restore, build, test, publish);
# keep them aligned. The image cannot be built on the project's CI machine (no registry is reachable there).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first from the build files only, so the layer is reused while the code changes.
COPY global.json Directory.Build.props Directory.Packages.props Bot.sln ./
COPY src/KernelDigest.Core/KernelDigest.Core.csproj src/KernelDigest.Core/
COPY src/KernelDigest.Bot/KernelDigest.Bot.csproj src/KernelDigest.Bot/
# ReadyToRun compiles for one runtime: the build machine's (linux-x64 or linux-arm64).
RUN dotnet restore --use-current-runtime src/KernelDigest.Bot/KernelDigest.Bot.csproj
COPY src/ src/
COPY config/ config/
RUN dotnet publish src/KernelDigest.Bot/KernelDigest.Bot.csproj -c Release --use-current-runtime --self-contained false --no-restore -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# The bundled reports, taxonomy and glossary; mount a volume on /app/config to serve your own.
COPY config/ /app/config/
# Subscriptions (SQLite), the search index cache: keep them across restarts.
RUN mkdir -p /app/data && chown -R app:app /app/data
VOLUME ["/app/data"]
USER app
ENV ASPNETCORE_URLS=http://0.0.0.0:8080 \
    Storage__DataDirectory=/app/data \
    Reports__IndexCacheDirectory=/app/data/index \
    Console__Enabled=false \
    DOTNET_NOLOGO=1
# The web archive (/), Telegram webhook (/telegram/webhook), Discord interactions (/discord/interactions), /health/*, /metrics.
EXPOSE 8080
ENTRYPOINT ["dotnet", "KernelDigest.Bot.dll"]
