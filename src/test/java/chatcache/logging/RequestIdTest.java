package chatcache.logging;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestIdTest {

    @Test
    void aSaneOfferedIdIsKept() {
        for (String id : List.of("a", "3f1c9a52-7d0e-4b8e-9a4f-0c1d2e3f4a5b", "Root=1-67891233-abcdef012345678912345678",
                "x".repeat(RequestId.MAX_LENGTH), "dGVzdA==", "a.b_c:d+e/f")) {
            assertEquals(id, RequestId.acceptOrMake(id));
        }
    }

    @Test
    void anythingElseIsReplacedByANewId() {
        for (String offered : List.of("", "x".repeat(RequestId.MAX_LENGTH + 1), "a b", "a\nb", "a\tb", "é", "<script>",
                "a\"b", "a'b", "a;b", "{\"json\":1}", "a\u0000b")) {
            String id = RequestId.acceptOrMake(offered);
            assertNotEquals(offered, id);
            assertTrue(id.matches("[A-Za-z0-9_-]{22}"), id);
        }
        assertTrue(RequestId.acceptOrMake(null).matches("[A-Za-z0-9_-]{22}"));
    }

    @Test
    void newIdsAreDistinct() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            ids.add(RequestId.make());
        }
        assertEquals(10_000, ids.size());
    }

    @Test
    void theIdIsTheThreadsUntilItLeaves() throws InterruptedException {
        RequestId.enter("mine");
        String[] elsewhere = new String[1];
        Thread other = new Thread(() -> elsewhere[0] = RequestId.current());
        other.start();
        other.join();
        assertEquals("mine", RequestId.current());
        assertEquals(null, elsewhere[0]);
        RequestId.leave();
        assertEquals(null, RequestId.current());
    }
}
