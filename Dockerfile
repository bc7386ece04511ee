# One image recipe for the three services, built from the repository root:
#   docker build --build-arg SERVICE=Ingress --build-arg PORT=5080 .
ARG SERVICE=Ingress

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG SERVICE
WORKDIR /source
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/ src/
RUN dotnet publish src/Kci.${SERVICE}/Kci.${SERVICE}.csproj -c Release -o /app --nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0
ARG SERVICE
ARG PORT=5080
WORKDIR /app
COPY --from=build /app .
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
# DOTNET_GCgen0size and MALLOC_ARENA_MAX: as scripts/run.sh gives the services (docs/performance.md).
# Urls: every interface of the container (appsettings.json's "Urls" is localhost, for a developer's machine; an
# environment variable overrides it, where ASPNETCORE_URLS would not).
ENV Urls=http://+:${PORT} KCI_SERVICE=Kci.${SERVICE}.dll DOTNET_GCgen0size=0x3000000 MALLOC_ARENA_MAX=2
EXPOSE ${PORT}
USER $APP_UID
ENTRYPOINT ["sh", "-c", "exec dotnet $KCI_SERVICE \"$@\"", "--"]
