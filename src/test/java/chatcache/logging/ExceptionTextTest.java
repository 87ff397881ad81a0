package chatcache.logging;

import chatcache.core.BackendUnavailableException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.persistence.PersistenceException;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;

import java.net.ConnectException;
import java.sql.SQLIntegrityConstraintViolationException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ExceptionTextTest {
    private static final String SECRET = "Привет secret-text-4711";

    /** What MySQL and Hibernate answer for a row they refused: both repeat the value. */
    private static PersistenceException duplicateEntry() {
        SQLIntegrityConstraintViolationException sql = new SQLIntegrityConstraintViolationException(
                "Duplicate entry '" + SECRET + "' for key 'PRIMARY'", "23000", 1062);
        return new PersistenceException("could not execute statement [" + sql.getMessage() + "] [insert into t values (?)]", sql);
    }

    @Test
    void connectionFailuresKeepTheirMessages() {
        JedisConnectionException e = new JedisConnectionException("Failed to connect to any host resolved for DNS name.",
                new ConnectException("Connection refused"));
        assertEquals("JedisConnectionException: Failed to connect to any host resolved for DNS name.; "
                + "caused by ConnectException: Connection refused", ExceptionText.summary(e));
    }

    @Test
    void sqlErrorsShowTheirStateAndCodeButNotTheValuesTheyRepeat() {
        String summary = ExceptionText.summary(duplicateEntry());
        assertEquals("PersistenceException: " + ExceptionText.WITHHELD
                + "; caused by SQLIntegrityConstraintViolationException: SQLState 23000, error 1062", summary);
    }

    @Test
    void redisErrorsShowTheirCodeWordOnly() {
        assertEquals("JedisDataException: ERR " + ExceptionText.WITHHELD,
                ExceptionText.summary(new JedisDataException("ERR unknown command 'X', with args beginning with: '" + SECRET + "'")));
        assertEquals("JedisDataException: " + ExceptionText.WITHHELD,
                ExceptionText.summary(new JedisDataException("Syntax error at offset 3 near " + SECRET)));
    }

    @Test
    void ourMessagesDropTheCauseTextTheyRepeat() {
        JedisDataException cause = new JedisDataException("ERR Syntax error near " + SECRET);
        BackendUnavailableException e = new BackendUnavailableException("Redis could not read messages: " + cause.getMessage(), cause);
        assertEquals("BackendUnavailableException: Redis could not read messages; caused by JedisDataException: ERR "
                + ExceptionText.WITHHELD, ExceptionText.summary(e));

        PersistenceException deeper = duplicateEntry();
        BackendUnavailableException mysql = new BackendUnavailableException("MySQL could not store: " + deeper.getMessage(), deeper);
        assertFalse(ExceptionText.summary(mysql).contains("secret-text"), ExceptionText.summary(mysql));
        assertTrue(ExceptionText.summary(mysql).startsWith("BackendUnavailableException: MySQL could not store; "));
    }

    @Test
    void jacksonExcerptsOfTheInputAreWithheld() {
        JsonProcessingException e = assertThrows(JsonProcessingException.class,
                () -> new ObjectMapper().readTree("{\"message\": secrettext4711}"));
        assertTrue(e.getMessage().contains("secrettext4711"), "the premise: Jackson repeats its input");
        assertFalse(ExceptionText.summary(e).contains("secrettext4711"), ExceptionText.summary(e));
        assertFalse(ExceptionText.stackTrace(e).contains("secrettext4711"));
    }

    @Test
    void theStackTraceHasEveryFrameCauseAndSuppressedExceptionButNoValue() {
        PersistenceException e = duplicateEntry();
        e.addSuppressed(new IllegalStateException("rollback of '" + SECRET + "' failed"));
        String trace = ExceptionText.stackTrace(e);
        assertFalse(trace.contains("secret-text"), trace);
        assertTrue(trace.startsWith("jakarta.persistence.PersistenceException: " + ExceptionText.WITHHELD + "\n\tat "), trace);
        assertTrue(trace.contains("\tat chatcache.logging.ExceptionTextTest.duplicateEntry("), trace);
        assertTrue(trace.contains("\tSuppressed: java.lang.IllegalStateException: " + ExceptionText.WITHHELD + "\n"), trace);
        assertTrue(trace.contains("Caused by: java.sql.SQLIntegrityConstraintViolationException: SQLState 23000, error 1062\n"), trace);
        assertTrue(trace.contains(" more\n"), "frames shared with the enclosing trace are elided: " + trace);
    }

    @Test
    void aCircularCauseChainEnds() {
        IllegalStateException a = new IllegalStateException("a");
        IllegalArgumentException b = new IllegalArgumentException("b", a);
        a.initCause(b);
        assertEquals("IllegalStateException: " + ExceptionText.WITHHELD + "; caused by IllegalArgumentException: "
                + ExceptionText.WITHHELD, ExceptionText.summary(a));
        assertTrue(ExceptionText.stackTrace(a).contains("[circular reference: java.lang.IllegalStateException]"));
    }
}
