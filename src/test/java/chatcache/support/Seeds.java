package chatcache.support;

import java.util.Random;

/** Seeds of randomized tests. */
public final class Seeds {
    private Seeds() {
    }

    /**
     * The seed given as -Dchatcache.seed=N, else a new one; printed with what it seeds, so that a
     * failure can be re-run with the same cases.
     */
    public static long announced(String what) {
        long seed = Long.getLong("chatcache.seed", new Random().nextLong());
        System.out.println(what + " seed " + seed + " (re-run with -Dchatcache.seed=" + seed + ")");
        return seed;
    }
}
