package chatcache.mysql;

import jakarta.persistence.Timeout;
import org.hibernate.dialect.MySQLDialect;
import org.hibernate.engine.jdbc.dialect.spi.DialectResolutionInfo;

/**
 * Hibernate's MySQL dialect, kept to what MySQL 8 and MariaDB 10.11 both accept. why: Hibernate 7
 * locks a row with {@code FOR UPDATE OF <alias>}, MySQL 8 syntax that MariaDB refuses as a syntax
 * error; our locked reads name one table, where a plain {@code FOR UPDATE} locks the same rows.
 */
public final class CommonMySqlDialect extends MySQLDialect {

    /** How Hibernate builds a dialect named in its settings. */
    public CommonMySqlDialect(DialectResolutionInfo info) {
        super(info);
    }

    @Override
    public String getWriteLockString(String aliases, Timeout timeout) {
        return getWriteLockString(timeout);
    }
}
