package chatcache.support;

import chatcache.user.Role;
import chatcache.user.User;
import org.junit.jupiter.api.BeforeEach;

/**
 * What a test of the program's parts (below HTTP) extends: the real stores of {@link TestStores},
 * emptied before each test, with alice and bob signed up again as users.
 */
public abstract class FreshStores {
    protected final TestStores stores = TestStores.get();
    protected User alice;
    protected User bob;

    @BeforeEach
    void emptyStoresAndSignUpAliceAndBob() {
        stores.reset();
        alice = stores.userOnly("alice", Role.USER);
        bob = stores.userOnly("bob", Role.USER);
    }
}
