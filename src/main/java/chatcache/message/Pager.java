package chatcache.message;

import chatcache.core.Message;
import chatcache.query.OrderKey;
import chatcache.query.Position;
import chatcache.query.SearchCriteria;
import chatcache.query.Slice.Direction;
import chatcache.query.Slice;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds a page from keyset slices of one backend. The same code runs over both backends, so
 * they can only differ in what their slices return, which the contract suite checks.
 * A page costs at most two slices of up to limit+1 messages (plus the anchor lookup), whatever
 * its depth in the chat.
 */
public final class Pager {
    private Pager() {
    }

    public static Page page(MessageBackend backend, SearchCriteria c) {
        if (!(c.position() instanceof Position.Anchored position)) {
            List<Message> older = backend.slice(c.slice(Direction.OLDER, Optional.empty(), c.limit() + 1));
            return new Page(first(older, c.limit()), older.size() > c.limit(), false);
        }
        Message anchor = backend.find(c.chatId(), position.anchorId())
                .orElseThrow(() -> new AnchorNotFoundException(c.chatId(), position.anchorId()));
        Optional<OrderKey> at = Optional.of(new OrderKey(anchor.createdAt(), anchor.id()));
        boolean anchorMatches = c.matches(anchor);

        if (position instanceof Position.Before) {
            List<Message> older = backend.slice(c.slice(Direction.OLDER, at, c.limit() + 1));
            boolean hasNewer = anchorMatches || !backend.slice(c.slice(Direction.NEWER, at, 1)).isEmpty();
            return new Page(first(older, c.limit()), older.size() > c.limit(), hasNewer);
        }
        if (position instanceof Position.After) {
            List<Message> newer = backend.slice(c.slice(Direction.NEWER, at, c.limit() + 1));
            boolean hasOlder = anchorMatches || !backend.slice(c.slice(Direction.OLDER, at, 1)).isEmpty();
            return new Page(reversed(first(newer, c.limit())), hasOlder, newer.size() > c.limit());
        }
        return around(backend, c, anchor, at, anchorMatches);
    }

    /**
     * The anchor (if it matches the filters) in the middle: of the rest, newer messages get the
     * larger half (ceil), older the smaller (floor); a side that runs short leaves its share to the other.
     */
    private static Page around(MessageBackend backend, SearchCriteria c, Message anchor, Optional<OrderKey> at,
                               boolean anchorMatches) {
        List<Message> older = backend.slice(c.slice(Direction.OLDER, at, c.limit() + 1));
        List<Message> newer = backend.slice(c.slice(Direction.NEWER, at, c.limit() + 1));
        int rest = c.limit() - (anchorMatches ? 1 : 0);
        int newerCount = Math.min(newer.size(), rest - rest / 2);
        int olderCount = Math.min(older.size(), rest - newerCount);
        newerCount = Math.min(newer.size(), rest - olderCount);

        List<Message> messages = new ArrayList<>(reversed(first(newer, newerCount)));
        if (anchorMatches) {
            messages.add(anchor);
        }
        messages.addAll(first(older, olderCount));
        return new Page(messages, older.size() > olderCount, newer.size() > newerCount);
    }

    private static List<Message> first(List<Message> list, int n) {
        return list.size() <= n ? list : list.subList(0, n);
    }

    private static List<Message> reversed(List<Message> list) {
        List<Message> copy = new ArrayList<>(list);
        java.util.Collections.reverse(copy);
        return copy;
    }
}
