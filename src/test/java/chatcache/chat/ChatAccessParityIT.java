package chatcache.chat;

import chatcache.core.Message;
import chatcache.message.NewMessage;
import chatcache.message.NotAllowedException;
import chatcache.query.OrderKey;
import chatcache.replication.CacheRebuild;
import chatcache.support.TestStores;
import chatcache.user.Caller;
import chatcache.user.Role;
import chatcache.user.User;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Randomized differential test of access and unread counts: chats made, members added and
 * removed by random callers (some refused), messages posted (several in one millisecond) and
 * deleted, read markers moved on either route; then, after every step, what each caller may do in
 * each chat and how many messages each member has unread, as an oracle of this test's own
 * (README's table, written out here) says, as MySQL answers it and as Redis answers it. The seed
 * is printed on failure.
 */
class ChatAccessParityIT {
    private static final int STEPS = 300;

    private final TestStores stores = TestStores.get();

    /** The oracle: each chat's visibility, owner, members with their markers, and messages, kept by this test alone. */
    private record Model(Visibility visibility, Long owner, Set<Long> members, Map<Long, OrderKey> markers,
                         List<Message> messages) {
    }

    @Test
    void bothStoresAnswerWhatTheOracleSays() {
        long seed = new Random().nextLong();
        try {
            run(seed);
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("seed " + seed + ": " + e.getMessage(), e);
        }
    }

    private void run(long seed) {
        stores.reset();
        Random random = new Random(seed);
        List<User> users = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            users.add(stores.userOnly("user" + i, Role.USER));
        }
        User api = stores.userOnly("api", Role.API);
        List<Caller> callers = new ArrayList<>();
        callers.add(Caller.ANONYMOUS);
        users.forEach(u -> callers.add(Caller.of(u)));
        callers.add(Caller.of(api));
        ChatService chats = stores.cache.chats();
        Map<Long, Model> model = new HashMap<>();

        for (int step = 0; step < STEPS; step++) {
            Caller caller = callers.get(random.nextInt(callers.size()));
            int op = model.isEmpty() ? 0 : random.nextInt(14);
            if (op == 0) {
                Visibility visibility = random.nextBoolean() ? Visibility.PUBLIC : Visibility.PRIVATE;
                if (caller.isAnonymous()) {
                    continue; // refused over HTTP with 401 before the service is asked
                }
                User creator = caller.user().orElseThrow();
                Chat chat = chats.create("chat of step " + step, visibility, creator);
                Long owner = creator.role() == Role.API ? null : creator.id();
                Set<Long> members = new TreeSet<>();
                if (owner != null) {
                    members.add(owner);
                }
                model.put(chat.id(), new Model(visibility, owner, members, new HashMap<>(), new ArrayList<>()));
            } else if (op >= 10) {
                long chatId = pick(random, model.keySet());
                Model m = model.get(chatId);
                if (m.members().isEmpty()) {
                    continue;
                }
                long author = pick(random, m.members());
                User user = users.stream().filter(u -> u.id() == author).findFirst().orElseThrow();
                if (op <= 11 || m.messages().isEmpty()) {
                    stores.clock.advance(random.nextInt(3)); // same milliseconds too: the order's second key decides
                    m.messages().add(stores.cache.messages().post(new NewMessage(chatId, author, "m" + step, null)));
                } else if (op == 12) {
                    Message seen = m.messages().get(random.nextInt(m.messages().size()));
                    Caller reader = Caller.of(user);
                    chats.advance(chats.readable(chatId, reader), reader, List.of(seen), random.nextBoolean() ? "redis" : "mysql");
                    OrderKey key = new OrderKey(seen.createdAt(), seen.id());
                    m.markers().merge(author, key, (a, b) -> a.compareTo(b) >= 0 ? a : b);
                } else {
                    Message gone = m.messages().remove(random.nextInt(m.messages().size()));
                    User by = users.stream().filter(u -> u.id() == gone.userId()).findFirst().orElseThrow();
                    stores.cache.messages().delete(chatId, gone.id(), by);
                }
            } else {
                long chatId = pick(random, model.keySet());
                Model m = model.get(chatId);
                long target = users.get(random.nextInt(users.size())).id();
                boolean adding = op < 6;
                boolean mayRead = oracleMayRead(m, caller);
                boolean isApi = caller.hasRole(Role.API);
                boolean isOwner = caller.user().map(u -> m.owner() != null && m.owner() == u.id()).orElse(false);
                boolean self = caller.user().map(u -> u.id() == target).orElse(false);
                if (caller.isAnonymous()) {
                    continue; // 401 over HTTP
                }
                if (!mayRead) {
                    assertThrows(ChatNotFoundException.class, () -> change(chats, adding, chatId, target, caller), "step " + step);
                } else if (!(isApi || isOwner || (!adding && self))) {
                    assertThrows(NotAllowedException.class, () -> change(chats, adding, chatId, target, caller), "step " + step);
                } else if (!adding && m.owner() != null && m.owner() == target) {
                    assertThrows(ChatService.ConflictException.class, () -> change(chats, false, chatId, target, caller), "step " + step);
                } else {
                    change(chats, adding, chatId, target, caller);
                    if (adding) {
                        m.members().add(target);
                    } else if (m.members().remove(target)) {
                        m.markers().remove(target); // a former member's marker goes with the membership
                    }
                }
            }
            compare(step, model, callers, chats);
        }
        // and a rebuilt Redis answers the same; verify finds no drift
        stores.cache.rebuild().rebuild(Optional.empty(), CacheRebuild.Progress.NONE);
        compare(STEPS, model, callers, chats);
        assertEquals(List.of(), stores.cache.rebuild().verify(Optional.empty(), CacheRebuild.Progress.NONE));
    }

    private static void change(ChatService chats, boolean adding, long chatId, long target, Caller caller) {
        if (adding) {
            chats.addMember(chatId, target, caller);
        } else {
            chats.removeMember(chatId, target, caller);
        }
    }

    private void compare(int step, Map<Long, Model> model, List<Caller> callers, ChatService chats) {
        ChatStore mysql = stores.cache.chatStore();
        ChatReplica redis = new chatcache.redis.RedisChats(stores.cache.redis(), stores.cache.groups(), chatcache.rediskit.ReplicaWait.NONE);
        stores.cache.readMarks().drain(); // markers moved in Redis reach MySQL
        for (Caller caller : callers) {
            long userId = caller.user().map(User::id).orElse(0L);
            List<Unread> expected = new ArrayList<>();
            new java.util.TreeMap<>(model).forEach((chatId, m) -> {
                if (m.members().contains(userId)) {
                    OrderKey marker = m.markers().get(userId);
                    long unread = m.messages().stream().filter(x -> x.userId() != userId)
                            .filter(x -> marker == null || new OrderKey(x.createdAt(), x.id()).compareTo(marker) > 0).count();
                    expected.add(new Unread(chatId, unread, marker == null ? null : marker.id()));
                }
            });
            assertEquals(expected, mysql.unread(userId, List.of()), "step " + step + ": unread of " + userId + " in MySQL");
            // the chats are small: Redis holds them whole, and MySQL is asked for nothing below a window
            assertEquals(expected, redis.unread(userId, List.of()).stream()
                    .filter(h -> h.mysqlBelow().isEmpty()).map(HeldUnread::held).toList(),
                    "step " + step + ": unread of " + userId + " in Redis");
        }
        for (Map.Entry<Long, Model> e : model.entrySet()) {
            long chatId = e.getKey();
            Model m = e.getValue();
            Chat inMysql = mysql.find(chatId).orElseThrow();
            Chat inRedis = redis.find(chatId).orElseThrow(() -> new AssertionError("step " + step + ": chat " + chatId + " missing from Redis"));
            assertEquals(inMysql, inRedis, "step " + step + ": the copies of chat " + chatId);
            assertEquals(m.members(), new TreeSet<>(inMysql.members().stream().map(Member::userId).toList()), "step " + step);
            for (Caller caller : callers) {
                long userId = caller.user().map(User::id).orElse(0L);
                Access a = mysql.access(chatId, userId).orElseThrow();
                assertEquals(a, redis.access(chatId, userId).orElseThrow(), "step " + step + ": access of " + userId + " to " + chatId);
                boolean read = oracleMayRead(m, caller);
                boolean post = caller.hasRole(Role.API) || (!caller.isAnonymous() && m.members().contains(userId));
                assertEquals(read, a.mayRead(caller), "step " + step + ": read " + userId + " in " + chatId);
                assertEquals(post, a.mayPost(caller), "step " + step + ": post " + userId + " in " + chatId);
                // the service, on the caller's route
                if (read) {
                    chats.readable(chatId, caller);
                    assertEquals(inMysql, chats.get(chatId, caller));
                } else {
                    assertThrows(ChatNotFoundException.class, () -> chats.readable(chatId, caller));
                    assertThrows(ChatNotFoundException.class, () -> chats.get(chatId, caller));
                }
            }
        }
        long none = model.keySet().stream().mapToLong(Long::longValue).max().orElse(1000) + 1;
        assertEquals(Optional.empty(), mysql.access(none, 0));
        assertEquals(Optional.empty(), redis.access(none, 0));
    }

    private static boolean oracleMayRead(Model m, Caller caller) {
        if (caller.hasRole(Role.API) || m.visibility() == Visibility.PUBLIC) {
            return true;
        }
        return caller.user().map(u -> m.members().contains(u.id())).orElse(false);
    }

    private static long pick(Random random, java.util.Collection<Long> ids) {
        int i = random.nextInt(ids.size());
        for (long id : ids) {
            if (i-- == 0) {
                return id;
            }
        }
        fail("unreachable");
        return 0;
    }
}
