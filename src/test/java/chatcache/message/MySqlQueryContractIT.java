package chatcache.message;

/** The query contract, answered by MySQL through Hibernate. */
class MySqlQueryContractIT extends MessageQueryContract {
    @Override
    protected MessageBackend backend() {
        return stores.cache.mysqlMessages();
    }

    @Override
    protected MessageBackend otherBackend() {
        return stores.cache.redisMessages();
    }
}
