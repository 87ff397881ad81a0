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
    CONFIG("FT.CONFIG"),
    INFO("FT.INFO"),
    /** 1.x: drops the index and the hashes it indexed. */
    DROP("FT.DROP"),
    /** 2.x: drops the index (with DD, its hashes too). */
    DROPINDEX("FT.DROPINDEX");

    private final byte[] raw;

    SearchCommand(String name) {
        this.raw = SafeEncoder.encode(name);
    }

    @Override
    public byte[] getRaw() {
        return raw;
    }
}
