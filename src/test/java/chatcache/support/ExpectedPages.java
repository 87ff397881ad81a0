package chatcache.support;

import chatcache.core.Message;
import chatcache.message.Page;
import chatcache.query.Position;
import chatcache.query.SearchCriteria;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The documented paging rules over a plain list of every message a test posted: the oracle that
 * both backends are held to. Written as directly as the README states the rules, independent of
 * the keyset slices the program uses.
 */
public final class ExpectedPages {
    /** createdAt descending, then id descending. */
    public static final Comparator<Message> NEWEST_FIRST =
            Comparator.comparingLong(Message::createdAt).thenComparingLong(Message::id).reversed();

    private ExpectedPages() {
    }

    /** The page for these criteria, or empty when the anchor is not a message of the chat. */
    public static Optional<Page> of(List<Message> all, SearchCriteria c) {
        List<Message> chat = all.stream().filter(m -> m.chatId() == c.chatId()).sorted(NEWEST_FIRST).toList();
        List<Message> matching = chat.stream().filter(c::matches).toList();
        if (c.position() instanceof Position.Latest) {
            return Optional.of(new Page(first(matching, c.limit()), matching.size() > c.limit(), false));
        }
        long anchorId = ((Position.Anchored) c.position()).anchorId();
        Optional<Message> anchor = chat.stream().filter(m -> m.id() == anchorId).findFirst();
        if (anchor.isEmpty()) {
            return Optional.empty();
        }
        Message x = anchor.get();
        List<Message> older = matching.stream().filter(m -> NEWEST_FIRST.compare(m, x) > 0).toList(); // newest first
        List<Message> newer = new ArrayList<>(matching.stream().filter(m -> NEWEST_FIRST.compare(m, x) < 0).toList());
        Collections.reverse(newer); // nearest to the anchor first
        boolean anchorMatches = matching.contains(x);

        if (c.position() instanceof Position.Before) {
            return Optional.of(new Page(first(older, c.limit()), older.size() > c.limit(),
                    anchorMatches || !newer.isEmpty()));
        }
        if (c.position() instanceof Position.After) {
            List<Message> page = new ArrayList<>(first(newer, c.limit()));
            Collections.reverse(page);
            return Optional.of(new Page(page, anchorMatches || !older.isEmpty(), newer.size() > c.limit()));
        }
        int rest = c.limit() - (anchorMatches ? 1 : 0);
        int newerCount = Math.min(newer.size(), (rest + 1) / 2);
        int olderCount = Math.min(older.size(), rest - newerCount);
        newerCount = Math.min(newer.size(), rest - olderCount);
        List<Message> page = new ArrayList<>(first(newer, newerCount));
        Collections.reverse(page);
        if (anchorMatches) {
            page.add(x);
        }
        page.addAll(first(older, olderCount));
        return Optional.of(new Page(page, older.size() > olderCount, newer.size() > newerCount));
    }

    private static List<Message> first(List<Message> list, int n) {
        return List.copyOf(list.subList(0, Math.min(n, list.size())));
    }
}
