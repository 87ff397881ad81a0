package chatcache.user;

import java.util.List;

/**
 * The copy of every user's token hash that the read path consults instead of MySQL (in Redis),
 * so that no token, known or made up, costs a MySQL query there. It answers only while it holds a
 * complete copy; otherwise the caller asks MySQL. Implementations throw
 * {@link chatcache.core.BackendUnavailableException} when the copy cannot be reached.
 */
public interface TokenReplica {

    /** What the copy knows of a token hash. */
    record Lookup(boolean complete, User user) {
        public static final Lookup UNSURE = new Lookup(false, null);
    }

    Lookup find(String tokenHash);

    void putAll(List<UserToken> users);

    /** The highest user id copied so far, or null when the copy is not complete. */
    Long copiedUpTo();

    /** Records that users up to this id are copied (never moves back); no-op without a complete copy. */
    void advance(long upTo);

    /** Starts a full copy; returns its ticket for {@link #finishFullCopy}. */
    String startFullCopy();

    /** Claims completeness, unless the copy was lost (a flush) since {@link #startFullCopy}. */
    boolean finishFullCopy(String ticket, long upTo);

    /**
     * Removes these revoked tokens and moves the revocation mark (the newest stamp applied)
     * forwards to {@code upTo}, in one step, so that every server watching the mark sees it move
     * only once the tokens are gone.
     */
    void revoke(List<UserDirectory.Revoked> revoked, long upTo);

    /** The revocation mark, or -1 when the copy has none (not complete, or flushed). */
    long revocationMark();
}
