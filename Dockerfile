# syntax=docker/dockerfile:1
# Builds the chatcache server image. Docker cannot run on the dev machines, so
# this file is written from the images' documentation and is untested here;
# ./dev is the tested way to build and run.

# ---- build stage
# The service only: the bench (bench/, its own Maven project) is neither built nor shipped here.
# pinned: a rebuild months later gets the same toolchain and base (update these on purpose)
FROM maven:3.9.11-eclipse-temurin-25 AS build
WORKDIR /build
# pom.xml alone first, so the dependency layer is reused until the pom changes.
COPY pom.xml ./
RUN mvn -B -q dependency:go-offline
COPY schema/ schema/
COPY src/ src/
RUN mvn -B -q package -DskipTests

# ---- runtime stage
FROM eclipse-temurin:25.0.1_8-jre
WORKDIR /app
RUN groupadd --system chatcache && useradd --system --gid chatcache --no-create-home chatcache
COPY --from=build /build/target/chatcache.jar /app/chatcache.jar
USER chatcache
ENV CHATCACHE_PORT=7070
EXPOSE 7070
# No HEALTHCHECK here: docker-compose.yml defines one (the Ubuntu-based
# eclipse-temurin image ships curl and wget).
ENTRYPOINT ["java", "-jar", "/app/chatcache.jar"]
CMD ["serve"]
