package dev.kelp.agent.events.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import dev.kelp.agent.config.AgentIdentity;
import dev.kelp.agent.events.AgentEvent;
import dev.kelp.agent.events.AuditQuery;
import dev.kelp.agent.events.EventReader;
import dev.kelp.agent.events.EventStoreUnavailableException;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads this agent's events back from Cassandra for {@code GET /v1/audit}: one partition per
 * day of the window, newest first, the bucket and owner filtered here (a partition is one
 * agent's day, small enough to read through). A session of its own, opened on the first query
 * and kept, so reading never competes with the writer's single thread.
 */
@Singleton
@Requires(property = "kelp.events.cassandra.contact-points")
class CassandraEventReader implements EventReader {

    private final CassandraEventsConfig config;
    private final String agentId;
    private CqlSession session;
    private PreparedStatement select;

    CassandraEventReader(CassandraEventsConfig config, AgentIdentity agent) {
        this.config = config;
        this.agentId = agent.id();
    }

    @Override
    public List<AgentEvent> read(AuditQuery query) {
        List<AgentEvent> found = new ArrayList<>();
        try {
            PreparedStatement statement = statement();
            LocalDate first = LocalDate.ofInstant(query.from(), ZoneOffset.UTC);
            for (LocalDate day = LocalDate.ofInstant(query.to(), ZoneOffset.UTC); !day.isBefore(first) && found.size() < query.limit();
                 day = day.minusDays(1)) {
                for (Row row : session.execute(statement.bind(agentId, day.toString(), query.from(), query.to())
                    .setPageSize(Math.max(query.limit(), 100)).setTimeout(config.requestTimeout()))) {
                    AgentEvent event = new AgentEvent(row.getUuid("id"), row.getInstant("at"), AgentEvent.Type.valueOf(row.getString("type")),
                        row.getString("bucket"), row.getString("object_key"), row.getMap("detail", String.class, String.class));
                    if (query.matches(event)) {
                        found.add(event);
                        if (found.size() >= query.limit()) {
                            break;
                        }
                    }
                }
            }
        } catch (RuntimeException e) {
            throw new EventStoreUnavailableException("the events cannot be read from Cassandra right now: " + e.getMessage(), e);
        }
        return List.copyOf(found);
    }

    private synchronized PreparedStatement statement() {
        if (session == null) {
            var builder = CqlSession.builder()
                .withConfigLoader(DriverConfigLoader.programmaticBuilder()
                    .withString(DefaultDriverOption.SESSION_NAME, "kelp-audit")
                    .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, config.requestTimeout())
                    .withDuration(DefaultDriverOption.CONNECTION_CONNECT_TIMEOUT, config.requestTimeout())
                    .withBoolean(DefaultDriverOption.METADATA_TOKEN_MAP_ENABLED, false)
                    .build())
                .addContactPoints(config.addresses())
                .withLocalDatacenter(config.localDatacenter());
            if (config.authenticated()) {
                builder.withAuthCredentials(config.username(), config.password());
            }
            CqlSession opened = builder.build();
            try {
                select = opened.prepare(SimpleStatement.newInstance("SELECT at, id, type, bucket, object_key, detail FROM "
                    + config.keyspace() + "." + EventSchema.TABLE + " WHERE agent_id = ? AND day = ? AND at >= ? AND at < ?"));
            } catch (RuntimeException e) {
                opened.close();
                throw e;
            }
            session = opened;
        }
        return select;
    }

    @PreDestroy
    synchronized void close() {
        if (session != null) {
            session.close();
            session = null;
        }
    }
}
