package chatcache.deploy;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue #21, item 9: docker-compose.yml and the Dockerfile cannot be run on these machines (no
 * Docker engine), so their rules are checked as text: no secret written in them (each comes from
 * the git-ignored .env that `./dev compose-env` writes), Redis with its default user off and an
 * ACL user for the app, persistence on and noeviction, every image pinned to a full version.
 */
class DockerFilesTest {
    private static final Path COMPOSE = Path.of("docker-compose.yml");
    private static final Path DOCKERFILE = Path.of("Dockerfile");

    @Test
    void noSecretIsWrittenInTheComposeFile() throws IOException {
        List<String> problems = new ArrayList<>();
        Matcher secret = Pattern.compile("^\\s*([A-Z_]*(PASSWORD|SECRET|TOKEN)[A-Z_]*):\\s*(.*)$", Pattern.MULTILINE)
                .matcher(Files.readString(COMPOSE));
        int found = 0;
        while (secret.find()) {
            found++;
            String value = secret.group(3).strip();
            if (!value.matches("\\$\\{[A-Z_]+:\\?[^}]+}")) {
                problems.add(secret.group(1) + " is '" + value + "', not ${VAR:?...} from .env");
            }
        }
        assertEquals(List.of(), problems);
        assertTrue(found >= 4, "the passwords of MySQL (app, root) and Redis (app) come from .env: " + found);
        String url = line(Files.readString(COMPOSE), "CHATCACHE_REDIS_URL:");
        assertTrue(url.contains("redis://chatcache:${CHATCACHE_REDIS_PASSWORD:?"), "the app signs in to Redis as its ACL user: " + url);
        assertTrue(Files.readString(Path.of(".gitignore")).lines().anyMatch(".env"::equals), ".env is git-ignored");
    }

    @Test
    void redisHasAPasswordAnAclUserPersistenceAndNoEviction() throws IOException {
        String compose = Files.readString(COMPOSE);
        String redis = compose.substring(compose.indexOf("\n  redis:"), compose.indexOf("\n  app:"));
        assertTrue(redis.contains("user default off"), "the default (password-less) user is off");
        assertTrue(redis.contains("user chatcache on >%s") && redis.contains("-@dangerous"), "an ACL user for the app, without the dangerous commands");
        assertTrue(redis.contains("--aclfile"), "the password is in an ACL file, not in the arguments");
        assertTrue(redis.contains("--appendonly yes") && !redis.contains("--appendonly no") && !redis.contains("--save \"\""),
                "persistence on (AOF)");
        assertTrue(redis.contains("--maxmemory-policy noeviction"), "Redis never evicts a hash on its own");
        assertTrue(redis.contains("redis-data:/data"), "the AOF is on a volume");
    }

    @Test
    void everyImageIsPinnedToAFullVersion() throws IOException {
        List<String> images = new ArrayList<>();
        Matcher image = Pattern.compile("^\\s*image:\\s*(\\S+)$", Pattern.MULTILINE).matcher(Files.readString(COMPOSE));
        while (image.find()) {
            images.add(image.group(1));
        }
        Matcher from = Pattern.compile("^FROM\\s+(\\S+)", Pattern.MULTILINE).matcher(Files.readString(DOCKERFILE));
        while (from.find()) {
            images.add(from.group(1));
        }
        assertTrue(images.size() >= 4, images.toString());
        for (String name : images) {
            // name:MAJOR.MINOR.PATCH[...] or a digest
            assertTrue(name.contains("@sha256:") || name.matches("[a-z0-9./-]+:\\d+\\.\\d+\\.\\d+[-_.a-z0-9]*"),
                    name + " is not pinned to a full version");
        }
    }

    private static String line(String text, String key) {
        return text.lines().filter(l -> l.strip().startsWith(key)).findFirst().orElse("(none)");
    }
}
