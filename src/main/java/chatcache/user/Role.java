package chatcache.user;

/** API callers are privileged clients answered from MySQL; everyone else reads Redis. */
public enum Role {
    USER,
    API
}
