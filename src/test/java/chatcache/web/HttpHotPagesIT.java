package chatcache.web;

import chatcache.ChatCache;
import chatcache.Config;
import chatcache.core.Message;
import chatcache.message.Page;
import chatcache.message.Pager;
import chatcache.query.Filter;
import chatcache.query.Position;
import chatcache.query.SearchCriteria;
import chatcache.user.Authenticator;
import chatcache.web.ApiClient.Reply;
import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pages kept in memory (HotPages) against MySQL, on two instances: random posts, edits, deletes,
 * signed-in reads that mark, and membership changes, on either instance, interleaved with
 * anonymous reads on either (each asked again now and then, so that kept pages are served): every
 * anonymous answer equals MySQL's page at that moment. Prints its seed on failure
 * ({@code -Dchatcache.seed=N} to rerun).
 */
class HttpHotPagesIT extends LiveApp {
    private ChatCache otherCache;
    private Javalin other;
    private URI otherBase;
    private long chat;
    private final List<Authenticator.Issued> members = new ArrayList<>();

    @BeforeEach
    void twoInstances() {
        emptyStoresForChats();
        chat = chatWithMember("public", "hot").get("id").longValue();
        members.clear();
        members.addAll(List.of(owner, member));
        otherCache = ChatCache.open(Config.fromEnv(System.getenv()), stores.clock);
        other = WebApp.create(otherCache).start("127.0.0.1", 0);
        otherBase = URI.create("http://127.0.0.1:" + other.port());
    }

    @AfterEach
    void closeOther() {
        other.stop();
        otherCache.close();
    }

    private Reply at(boolean first, String method, String path, Authenticator.Issued who, String body) {
        return ApiClient.send(http, first ? base : otherBase, method, path, who == null ? null : ApiClient.bearer(who), body);
    }

    @Test
    void everyAnonymousAnswerEqualsMySqlsAtThatMomentOnEitherInstance() {
        long seed = Long.getLong("chatcache.seed", System.nanoTime());
        Random random = new Random(seed);
        String context = "seed " + seed + " (rerun with -Dchatcache.seed=" + seed + ")";
        boolean otto = false;
        String lastRead = null;
        int reads = 0;
        for (int step = 0; step < 400; step++) {
            boolean first = random.nextBoolean();
            int op = random.nextInt(100);
            List<Message> now = stores.cache.mysqlMessages().scan(Optional.of(chat), 0, 10_000);
            // a former member may no longer edit or delete their messages
            List<Message> ours = now.stream().filter(m -> members.stream().anyMatch(i -> i.user().id() == m.userId())).toList();
            if (op < 22 || ours.size() < 3) {
                Authenticator.Issued author = members.get(random.nextInt(members.size()));
                Reply r = at(first, "POST", "/chat/" + chat + "/message", author, "{\"message\": \"post " + step + "\"}");
                assertEquals(201, r.status(), context + ": " + r.body());
            } else if (op < 32) {
                Message m = ours.get(random.nextInt(ours.size()));
                Reply r = at(first, "PATCH", "/chat/" + chat + "/message/" + m.id(), author(m.userId()),
                        "{\"message\": \"edited " + step + "\"}");
                assertEquals(200, r.status(), context + ": " + r.body());
            } else if (op < 38) {
                Message m = ours.get(random.nextInt(ours.size()));
                Reply r = at(first, "DELETE", "/chat/" + chat + "/message/" + m.id(), author(m.userId()), null);
                assertEquals(204, r.status(), context + ": " + r.body());
            } else if (op < 48) {
                Authenticator.Issued reader = members.get(random.nextInt(members.size()));
                Reply r = at(first, "POST", "/chat/" + chat + "/messages", reader, "{\"limit\": " + (1 + random.nextInt(7)) + "}");
                assertEquals(200, r.status(), context + ": " + r.body());
            } else if (op < 53) {
                otto = !otto;
                Reply r = at(first, otto ? "PUT" : "DELETE", "/chat/" + chat + "/members/" + outsider.user().id(), owner, null);
                assertEquals(204, r.status(), context + ": " + r.body());
                if (otto) {
                    members.add(outsider);
                } else {
                    members.remove(outsider);
                }
            } else {
                String body = op < 70 && lastRead != null ? lastRead : request(random, now);
                lastRead = body;
                Reply r = at(first, "POST", "/chat/" + chat + "/messages", ANONYMOUS, body);
                stores.cache.readMarks().drain(); // marks made in Redis reach MySQL, whose page is the truth
                if (anchorGone(body, now)) { // asked again after its anchor was deleted
                    assertEquals(404, r.status(), context + ": " + body + " -> " + r.body());
                    continue;
                }
                assertEquals(200, r.status(), context + ": " + body + " -> " + r.body());
                assertEquals(view(expected(body)), view(r.json()), context + ", step " + step + ": " + body);
                reads++;
            }
        }
        assertTrue(reads > 100, "reads " + reads);
        assertTrue(stores.cache.hotPages().hits() > 0 && otherCache.hotPages().hits() > 0,
                "both instances served kept pages: " + stores.cache.hotPages().hits() + ", " + otherCache.hotPages().hits());
        System.out.println("HttpHotPagesIT: " + reads + " anonymous reads equal to MySQL's; kept pages served "
                + stores.cache.hotPages().hits() + " + " + otherCache.hotPages().hits() + " times");
    }

    private Authenticator.Issued author(long userId) {
        return List.of(owner, member, outsider).stream().filter(i -> i.user().id() == userId).findFirst().orElseThrow();
    }

    private String request(Random random, List<Message> now) {
        StringBuilder body = new StringBuilder("{\"limit\": ").append(1 + random.nextInt(7));
        int where = random.nextInt(4);
        if (where > 0) {
            long anchor = now.get(random.nextInt(now.size())).id();
            body.append(", \"").append(where == 1 ? "before" : where == 2 ? "after" : "around").append("\": ").append(anchor);
        }
        if (random.nextInt(4) == 0) {
            body.append(", \"userId\": ").append(members.get(random.nextInt(members.size())).user().id());
        }
        return body.append("}").toString();
    }

    private static JsonNode parse(String body) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(body);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static boolean anchorGone(String body, List<Message> now) {
        JsonNode b = parse(body);
        for (String at : List.of("before", "after", "around")) {
            if (b.has(at) && now.stream().noneMatch(m -> m.id() == b.get(at).longValue())) {
                return true;
            }
        }
        return false;
    }

    /** MySQL's page for the same request, as the MySQL route reads it (nothing marked). */
    private Page expected(String body) {
        JsonNode b = parse(body);
        Position position = b.has("before") ? new Position.Before(b.get("before").longValue())
                : b.has("after") ? new Position.After(b.get("after").longValue())
                : b.has("around") ? new Position.Around(b.get("around").longValue()) : Position.LATEST;
        List<Filter> filters = b.has("userId") ? List.of(Filter.Authors.of(b.get("userId").longValue())) : List.of();
        return Pager.page(stores.cache.mysqlMessages(), new SearchCriteria(chat, filters, b.get("limit").intValue(), position));
    }

    private static String view(Page page) {
        StringBuilder s = new StringBuilder();
        for (Message m : page.messages()) {
            s.append(m.id()).append('/').append(m.userId()).append('/').append(m.text()).append('/').append(m.read()).append(' ');
        }
        return s.append("older=").append(page.hasOlder()).append(" newer=").append(page.hasNewer()).toString();
    }

    private static String view(JsonNode page) {
        StringBuilder s = new StringBuilder();
        for (JsonNode m : page.get("messages")) {
            s.append(m.get("id").longValue()).append('/').append(m.get("userId").longValue()).append('/')
                    .append(m.get("message").textValue()).append('/').append(m.get("read").booleanValue()).append(' ');
        }
        return s.append("older=").append(page.get("hasOlder").booleanValue()).append(" newer=")
                .append(page.get("hasNewer").booleanValue()).toString();
    }
}
