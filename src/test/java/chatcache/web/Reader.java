package chatcache.web;

/** Who reads, and which store the API must answer that reader from. */
enum Reader {
    ANONYMOUS("redis"), USER("redis"), API("mysql");

    final String source;

    Reader(String source) {
        this.source = source;
    }
}
