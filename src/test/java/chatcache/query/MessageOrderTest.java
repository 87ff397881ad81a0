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
        assertEquals(19, MessageOrder.sortKey(0, 1).length());
        assertEquals(19, MessageOrder.sortKey(MessageOrder.MAX_CREATED_AT, Long.MAX_VALUE).length());
    }

    @Test
    void aSortKeyGivesBackItsTimeAndId() {
        Random random = new Random(11);
        for (int i = 0; i < 10_000; i++) {
            long t = Math.floorMod(random.nextLong(), MessageOrder.MAX_CREATED_AT + 1);
            long id = 1 + Math.floorMod(random.nextLong(), Long.MAX_VALUE);
            assertEquals(new OrderKey(t, id), OrderKey.ofSortKey(MessageOrder.sortKey(t, id)));
        }
        assertEquals(new OrderKey(MessageOrder.MAX_CREATED_AT, Long.MAX_VALUE),
                OrderKey.ofSortKey(new OrderKey(MessageOrder.MAX_CREATED_AT, Long.MAX_VALUE).sortKey()));
    }

    @Test
    void refusesStringsThatAreNoSortKey() {
        assertThrows(IllegalArgumentException.class, () -> OrderKey.ofSortKey("short"));
        assertThrows(IllegalArgumentException.class, () -> OrderKey.ofSortKey("0000000000000000000000000000001"));
        assertThrows(IllegalArgumentException.class, () -> OrderKey.ofSortKey("-------- ----------"));
        // an id part above Long.MAX_VALUE, and an id of 0
        assertThrows(IllegalArgumentException.class, () -> OrderKey.ofSortKey("--------zzzzzzzzzzz"));
        assertThrows(IllegalArgumentException.class, () -> OrderKey.ofSortKey("-------0-----------"));
    }

    @Test
    void refusesTimesAndIdsOutsideTheKeysRange() {
        assertThrows(IllegalArgumentException.class, () -> MessageOrder.sortKey(-1, 1));
        assertThrows(IllegalArgumentException.class, () -> MessageOrder.sortKey(MessageOrder.MAX_CREATED_AT + 1, 1));
        assertThrows(IllegalArgumentException.class, () -> MessageOrder.sortKey(1, 0));
    }
}
