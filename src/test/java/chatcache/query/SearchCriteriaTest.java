package chatcache.query;

import chatcache.user.Caller;
import chatcache.user.Role;
import chatcache.user.User;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SearchCriteriaTest {
    private final Caller alice = Caller.of(new User(3, "alice", Role.USER));

    @Test
    void defaultsToTwentyMessagesOfTheWholeChat() {
        assertEquals(new SearchCriteria(9, Optional.empty(), 20), SearchCriteria.of(9, null, false, null, Optional.empty()));
    }

    @Test
    void userIdSelectsAnAuthor() {
        assertEquals(Optional.of(7L), SearchCriteria.of(9, 5, false, 7L, Optional.empty()).authorId());
    }

    @Test
    void onlyOwnMeansTheCallerAndWinsOverUserId() {
        assertEquals(Optional.of(3L), SearchCriteria.of(9, 5, true, 7L, Optional.of(3L)).authorId());
    }

    @Test
    void onlyOwnWithoutACallerIsRefused() {
        assertThrows(SearchCriteria.CallerRequiredException.class, () -> SearchCriteria.of(9, 5, true, null, Optional.empty()));
    }

    @Test
    void limitsOutsideOneToAHundredAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new SearchCriteria(1, Optional.empty(), 0));
        assertThrows(IllegalArgumentException.class, () -> new SearchCriteria(1, Optional.empty(), 101));
        assertEquals(100, new SearchCriteria(1, Optional.empty(), 100).limit());
    }

    @Test
    void nonPositiveIdsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new SearchCriteria(0, Optional.empty(), 1));
        assertThrows(IllegalArgumentException.class, () -> new SearchCriteria(1, Optional.of(-2L), 1));
    }

    @Test
    void filtersAreKeptInOneOrderAndOneOfEachKind() {
        Filter authors = Filter.Authors.of(3, 1, 2);
        Filter range = new Filter.TimeRange(10, 20);
        assertEquals(new SearchCriteria(1, List.of(authors, range), 5, Position.LATEST),
                new SearchCriteria(1, List.of(range, authors), 5, Position.LATEST));
        assertEquals(List.of(1L, 2L, 3L), ((Filter.Authors) authors).ids());
        assertThrows(IllegalArgumentException.class,
                () -> new SearchCriteria(1, List.of(authors, Filter.Authors.of(4)), 5, Position.LATEST));
        assertThrows(IllegalArgumentException.class, () -> Filter.Authors.of(1, 1));
        assertThrows(IllegalArgumentException.class, () -> new Filter.TimeRange(5, 5));
    }

    @Test
    void onlyOwnReplacesTheAuthorsAskedFor() {
        SearchCriteria c = SearchCriteria.of(9, 5, true, List.of(Filter.Authors.of(7, 8), new Filter.TimeRange(1, 2)),
                Position.LATEST, Optional.of(3L));
        assertEquals(List.of(Filter.Authors.of(3), new Filter.TimeRange(1, 2)), c.filters());
    }
}
