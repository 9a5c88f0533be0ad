# The OrleansKms silo (silo + AWS KMS gateway in one process).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY . .
RUN dotnet publish silo/OrleansKms.Silo.csproj -c Release -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0
WORKDIR /app
COPY --from=build /app .
EXPOSE 4566 11111 30000
ENTRYPOINT ["dotnet", "OrleansKms.Silo.dll"]
