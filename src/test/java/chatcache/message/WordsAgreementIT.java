package chatcache.message;

import chatcache.core.Message;
import chatcache.query.Filter;
import chatcache.query.Position;
import chatcache.query.SearchCriteria;
import chatcache.query.Words;
import chatcache.support.ExpectedPages;
import chatcache.support.RandomTexts;
import chatcache.support.Seeds;
import chatcache.support.TestClock;
import chatcache.support.TestStores;
import chatcache.user.Role;
import chatcache.user.User;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tokenizer as both stores apply it: generated texts in many scripts (with the code points
 * that trip case folding and normalisation) are posted and some edited through the real write
 * path; then every word of them, alone and in pairs, spelled as found in the text or in upper
 * case, must find the same messages on MySQL (message_words) and Redis (the TAG field), and
 * exactly those whose words {@link Words#of} says contain it. Re-run a failure with
 * -Dchatcache.seed=N (printed).
 */
class WordsAgreementIT {
    private static final int MESSAGES = 250;

    private final TestStores stores = TestStores.get();

    @Test
    void bothStoresFindEveryWordOfGeneratedTextsExactlyWhereTheTokenizerPutsIt() {
        long seed = Seeds.announced("WordsAgreementIT");
        Random random = new Random(seed);
        stores.reset();
        User author = stores.userOnly("writer", Role.USER);
        List<Message> posted = new ArrayList<>();
        for (int i = 0; i < MESSAGES; i++) {
            stores.clock.set(TestClock.START + random.nextInt(MESSAGES));
            posted.add(stores.cache.messages().post(new NewMessage(1, author.id(), text(random), null)));
        }
        for (int i = 0; i < MESSAGES / 10; i++) {
            int k = random.nextInt(posted.size());
            posted.set(k, stores.cache.messages().edit(1, posted.get(k).id(), text(random), author, true));
        }
        MessageBackend mysql = stores.cache.mysqlMessages();
        MessageBackend redis = stores.cache.redisMessages();
        int queries = 0;
        int found = 0;
        for (Message m : posted) {
            List<String> words = Words.of(m.text());
            for (int q = 0; q < Math.min(3, words.size()); q++) {
                String word = words.get(random.nextInt(words.size()));
                String other = words.get(random.nextInt(words.size()));
                for (String query : List.of(word, word.toUpperCase(java.util.Locale.ROOT), word + " " + other)) {
                    SearchCriteria c = new SearchCriteria(1, List.of(Filter.Text.of(query)), SearchCriteria.MAX_LIMIT,
                            Position.LATEST);
                    String where = "seed " + seed + ", query " + codePoints(query);
                    Page fromMysql = Pager.page(mysql, c);
                    assertEquals(fromMysql, Pager.page(redis, c), where);
                    assertEquals(ExpectedPages.of(posted, c).orElseThrow().messages().stream().map(Message::id).toList(),
                            fromMysql.messages().stream().map(Message::id).toList(), where);
                    assertTrue(fromMysql.messages().stream().anyMatch(x -> x.id() == m.id()) || fromMysql.hasOlder(), where);
                    queries++;
                    found += fromMysql.messages().size();
                }
            }
        }
        System.out.println("WordsAgreementIT: " + queries + " queries, " + found + " messages found");
        assertTrue(queries > MESSAGES, "seed " + seed + ": most generated texts should hold words");
    }

    private static String text(Random random) {
        String text = RandomTexts.storable(RandomTexts.text(RandomTexts.pieces(random)));
        return text.length() > 3_000 ? text.substring(0, 3_000) : "m " + text;
    }

    private static String codePoints(String text) {
        StringBuilder shown = new StringBuilder();
        text.codePoints().forEach(cp -> shown.append(cp < 0x80 ? Character.toString(cp) : String.format("\\u{%04X}", cp)));
        return shown.toString();
    }
}
