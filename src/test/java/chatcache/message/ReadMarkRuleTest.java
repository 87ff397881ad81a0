package chatcache.message;

import chatcache.core.Message;
import chatcache.user.Role;
import chatcache.user.User;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ReadMarkRuleTest {
    private final User bob = new User(2, "bob", Role.USER);

    @Test
    void marksUnreadMessagesOfOthersOnly() {
        List<Message> page = List.of(
                new Message(10, 1, 1, "alice unread", 5, null, false),
                new Message(11, 1, 2, "bob's own", 5, null, false),
                new Message(12, 1, 1, "alice already read", 5, null, true));
        assertEquals(List.of(10L), MessageService.unreadByOthers(page, Optional.of(bob)));
    }

    @Test
    void anonymousReadersMarkNothing() {
        List<Message> page = List.of(new Message(10, 1, 1, "x", 5, null, false));
        assertEquals(List.of(), MessageService.unreadByOthers(page, Optional.empty()));
    }
}
