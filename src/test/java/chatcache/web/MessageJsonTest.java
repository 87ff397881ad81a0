package chatcache.web;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The hand-written time format writes exactly what the DateTimeFormatter it replaces wrote. */
class MessageJsonTest {
    private static String expected(long epochMilli) {
        return MessageJson.TIME.format(Instant.ofEpochMilli(epochMilli));
    }

    @Test
    void edgesOfDaysYearsAndTheEpoch() {
        long[] cases = {0, 1, 999, 1_000, 59_999, 86_399_999, 86_400_000, -1, -86_400_000, -86_400_001,
                951_782_400_000L /* 2000-02-29 */, 1_709_164_800_000L /* 2024-02-29 */, 4_102_444_799_999L,
                253_402_300_799_999L /* 9999-12-31T23:59:59.999 */, 253_402_300_800_000L /* year 10000 */,
                -62_167_219_200_000L /* year 0 */, -62_167_219_200_001L /* year -1 */};
        for (long t : cases) {
            assertEquals(expected(t), MessageJson.utcTime(t), "epoch millis " + t);
        }
    }

    @Test
    void randomInstantsOfYears0To10000() {
        long seed = System.nanoTime();
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 200_000; i++) {
            long t = random.nextLong(-62_167_219_200_000L, 253_402_300_800_000L + 86_400_000L);
            assertEquals(expected(t), MessageJson.utcTime(t), "epoch millis " + t + " (seed " + seed + ")");
        }
    }
}
