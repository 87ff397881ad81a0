package chatcache.query;

import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class MessageOrderTest {

    @Test
    void sortKeysCompareLikeCreatedAtThenId() {
        Random random = new Random(7);
        for (int i = 0; i < 100_000; i++) {
            long t1 = random.nextInt(4) == 0 ? 5 : Math.floorMod(random.nextLong(), MessageOrder.MAX_CREATED_AT + 1);
            long t2 = random.nextInt(4) == 0 ? t1 : Math.floorMod(random.nextLong(), MessageOrder.MAX_CREATED_AT + 1);
            long id1 = 1 + Math.floorMod(random.nextLong(), Long.MAX_VALUE);
            long id2 = random.nextInt(8) == 0 ? id1 : 1 + Math.floorMod(random.nextLong(), Long.MAX_VALUE);
            int expected = t1 != t2 ? Long.compare(t1, t2) : Long.compare(id1, id2);
            int actual = MessageOrder.sortKey(t1, id1).compareTo(MessageOrder.sortKey(t2, id2));
            assertEquals(Integer.signum(expected), Integer.signum(actual), t1 + "/" + id1 + " vs " + t2 + "/" + id2);
        }
    }

    @Test
    void sortKeysHaveOneWidth() {
        assertEquals(32, MessageOrder.sortKey(0, 1).length());
        assertEquals(32, MessageOrder.sortKey(MessageOrder.MAX_CREATED_AT, Long.MAX_VALUE).length());
    }

    @Test
    void refusesTimesAndIdsOutsideTheKeysRange() {
        assertThrows(IllegalArgumentException.class, () -> MessageOrder.sortKey(-1, 1));
        assertThrows(IllegalArgumentException.class, () -> MessageOrder.sortKey(MessageOrder.MAX_CREATED_AT + 1, 1));
        assertThrows(IllegalArgumentException.class, () -> MessageOrder.sortKey(1, 0));
    }
}
