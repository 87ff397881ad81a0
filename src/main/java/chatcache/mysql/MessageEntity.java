package chatcache.mysql;

import chatcache.core.Message;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

@Entity
@Table(name = "messages")
public class MessageEntity {
    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    private Long id;

    @Column(name = "chat_id", nullable = false)
    private long chatId;

    @Column(name = "user_id", nullable = false)
    private long userId;

    @Column(name = "message", nullable = false, length = 4000)
    private String text;

    @Column(name = "created_at", nullable = false)
    private long createdAt;

    @Column(name = "data")
    private String data;

    @Column(name = "is_read", nullable = false)
    private boolean read;

    protected MessageEntity() {
    }

    void setText(String text) {
        this.text = text;
    }

    Message toMessage() {
        return new Message(id, chatId, userId, text, createdAt, data, read);
    }
}
