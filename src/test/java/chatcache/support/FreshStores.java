package chatcache.support;

import chatcache.user.Role;
import chatcache.user.User;
import org.junit.jupiter.api.BeforeEach;

/**
 * What a test of the program's parts (below HTTP) extends: the real stores of {@link TestStores},
 * emptied before each test, with alice and bob signed up again as users.
 */
public abstract class FreshStores {
    protected final TestStores stores = chooseStores();
    protected User alice;
    protected User bob;

    /** The program under test: the default wiring, or one with another window (called while fields are set: return a constant). */
    protected TestStores chooseStores() {
        return TestStores.get();
    }

    @BeforeEach
    void emptyStoresAndSignUpAliceAndBob() {
        stores.reset();
        alice = stores.userOnly("alice", Role.USER);
        bob = stores.userOnly("bob", Role.USER);
    }
}
