package chatcache.message;

/** The query contract, answered by Redis through FT.SEARCH. */
class RedisQueryContractIT extends MessageQueryContract {
    @Override
    protected MessageBackend backend() {
        return stores.cache.redisMessages();
    }

    @Override
    protected MessageBackend otherBackend() {
        return stores.cache.mysqlMessages();
    }
}
