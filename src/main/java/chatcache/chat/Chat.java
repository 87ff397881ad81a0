package chatcache.chat;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * A chat with its members, as of {@code version} (incremented by every change, in the same
 * transaction): what MySQL holds and what Redis copies whole.
 *
 * @param ownerId null for a chat owned by no one (made by an API client, or adopted from older messages)
 * @param members by user id
 */
public record Chat(long id, String title, Visibility visibility, Long ownerId, long createdAt, long version,
                   List<Member> members) {
    public static final int MAX_TITLE_CODE_POINTS = 200;

    public Chat {
        Objects.requireNonNull(title);
        Objects.requireNonNull(visibility);
        members = members.stream().sorted(Comparator.comparingLong(Member::userId)).toList();
    }

    /** What this chat means for one caller. */
    public Access accessOf(long userId) {
        return members.stream().filter(m -> m.userId() == userId).findFirst()
                .map(m -> new Access(id, visibility, m.role(), m.lastRead()))
                .orElseGet(() -> new Access(id, visibility, null, null));
    }
}
