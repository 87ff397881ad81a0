package chatcache.redis;

import redis.clients.jedis.commands.ProtocolCommand;
import redis.clients.jedis.util.SafeEncoder;

/**
 * The RediSearch commands we send as they are. why: Jedis' search API targets RediSearch 2.x
 * (it always writes ON HASH, and has no FT.ADDHASH), while we must also speak to 1.x.
 */
enum SearchCommand implements ProtocolCommand {
    CREATE("FT.CREATE"),
    SEARCH("FT.SEARCH"),
    ADDHASH("FT.ADDHASH"),
    DEL("FT.DEL"),
    CONFIG("FT.CONFIG");

    private final byte[] raw;

    SearchCommand(String name) {
        this.raw = SafeEncoder.encode(name);
    }

    @Override
    public byte[] getRaw() {
        return raw;
    }
}
