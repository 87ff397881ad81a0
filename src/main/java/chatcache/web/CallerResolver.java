package chatcache.web;

import chatcache.user.Authenticator;
import chatcache.user.Caller;
import io.javalin.http.Context;

import java.util.Optional;

/** Who is calling: no Authorization header is anonymous; a header that does not name a user is refused. */
final class CallerResolver {
    private static final String PREFIX = "bearer ";

    private final Authenticator authenticator;

    CallerResolver(Authenticator authenticator) {
        this.authenticator = authenticator;
    }

    /** Where a request's caller is kept once resolved: the rate-limit check and the route both ask. */
    private static final String ATTRIBUTE = CallerResolver.class.getName();

    /** The caller, resolved once per request (the token is looked up once, not once per asker). */
    Caller resolve(Context ctx) {
        Caller known = ctx.attribute(ATTRIBUTE);
        if (known != null) {
            return known;
        }
        Caller caller = lookUp(ctx);
        ctx.attribute(ATTRIBUTE, caller);
        return caller;
    }

    private Caller lookUp(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null) {
            return Caller.ANONYMOUS;
        }
        if (header.length() <= PREFIX.length() || !header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            throw ApiException.unauthorized("Authorization must be 'Bearer <token>'");
        }
        String token = header.substring(PREFIX.length()).strip();
        return authenticator.authenticate(token)
                .map(Caller::of)
                .orElseThrow(() -> ApiException.unauthorized("unknown token"));
    }

    /** Looks the caller of a long-lived request up again: empty once its token no longer names a user (revoked). */
    interface Recheck {
        Optional<Caller> caller();
    }

    /** For a request that stays open (an event stream): its token, kept to be looked up again later. */
    Recheck recheck(Context ctx) {
        String header = ctx.header("Authorization");
        if (header == null) {
            return () -> Optional.of(Caller.ANONYMOUS);
        }
        String token = header.substring(PREFIX.length()).strip(); // resolve(ctx) checked its form
        return () -> authenticator.authenticate(token).map(Caller::of);
    }

    Caller require(Context ctx) {
        Caller caller = resolve(ctx);
        if (caller.isAnonymous()) {
            throw ApiException.unauthorized("this route needs 'Authorization: Bearer <token>'");
        }
        return caller;
    }
}
