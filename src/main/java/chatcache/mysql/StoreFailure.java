package chatcache.mysql;

import chatcache.core.BackendUnavailableException;
import jakarta.persistence.PersistenceException;

import java.util.function.Supplier;

/** The one place where a MySQL failure becomes "the backend is unavailable" (a fallback or a 503). */
final class StoreFailure {
    private StoreFailure() {
    }

    static <T> T unavailableIfFails(String what, Supplier<T> work) {
        try {
            return work.get();
        } catch (PersistenceException e) {
            throw new BackendUnavailableException(what + ": " + e.getMessage(), e);
        }
    }
}
