package chatcache.message;

import java.util.Objects;

/** A validated message about to be stored: its id and time are assigned by the store. */
public record NewMessage(long chatId, long userId, String text, String data) {
    public static final int MAX_TEXT_CODE_POINTS = 4000;
    public static final int MAX_DATA_BYTES = 16_384;

    public NewMessage {
        Objects.requireNonNull(text, "text");
    }
}
