package chatcache;

import java.util.Map;

/**
 * Reads one numeric {@code CHATCACHE_*} setting: absent or blank means the default; anything
 * else must be a whole number within its bounds, or the program refuses to start with a message
 * that names the setting, what it must be, and what it got. One place, so that every tunable is
 * validated the same way (README, "Configuration").
 */
public final class Settings {
    private final Map<String, String> env;

    public Settings(Map<String, String> env) {
        this.env = env;
    }

    /** A whole number in {@code [min, max]}, or {@code otherwise}. */
    public long number(String name, long otherwise, long min, long max) {
        String value = env.get(name);
        if (value == null || value.isBlank()) {
            return otherwise;
        }
        long n;
        try {
            n = Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new InvalidConfigException(name + " must be a whole number, got '" + value + "'");
        }
        if (n < min || n > max) {
            throw new InvalidConfigException(name + " must be " + min + ".." + max + ", got " + n);
        }
        return n;
    }

    /** The same, for an int. */
    public int integer(String name, int otherwise, int min, int max) {
        return (int) number(name, otherwise, min, max);
    }
}
