package chatcache.mysql;

import chatcache.query.MessageField;
import chatcache.query.SearchCriteria;
import jakarta.persistence.criteria.CriteriaBuilder;
import jakarta.persistence.criteria.CriteriaQuery;
import jakarta.persistence.criteria.Predicate;
import jakarta.persistence.criteria.Root;

import java.util.ArrayList;
import java.util.List;

/** SearchCriteria to a typed Hibernate query; values are always bound parameters. */
final class HibernateCriteriaMapper {
    private HibernateCriteriaMapper() {
    }

    static CriteriaQuery<MessageEntity> toQuery(CriteriaBuilder cb, SearchCriteria criteria) {
        CriteriaQuery<MessageEntity> query = cb.createQuery(MessageEntity.class);
        Root<MessageEntity> m = query.from(MessageEntity.class);
        List<Predicate> where = new ArrayList<>();
        where.add(cb.equal(m.get(MessageField.CHAT_ID.entityAttribute()), criteria.chatId()));
        criteria.authorId().ifPresent(author ->
                where.add(cb.equal(m.get(MessageField.USER_ID.entityAttribute()), author)));
        return query.select(m)
                .where(where.toArray(Predicate[]::new))
                .orderBy(cb.desc(m.get(MessageField.CREATED_AT.entityAttribute())),
                        cb.desc(m.get(MessageField.ID.entityAttribute())));
    }
}
