package dev.kelp.agent.events.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.DefaultBatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Statement;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.metadata.Node;
import com.datastax.oss.driver.api.core.metadata.NodeStateListenerBase;
import com.datastax.oss.driver.api.core.servererrors.UnauthorizedException;
import dev.kelp.agent.events.AgentEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Cassandra side of the events: a session opened on demand (never at startup, so the
 * agent starts while Cassandra is down), the schema created if missing, and writes of
 * prepared, idempotent inserts in single-partition unlogged batches. Used by the one writer thread only.
 */
final class EventTable implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EventTable.class);
    private static final int ROWS_PER_BATCH = 20;
    // DDL waits for schema agreement, which takes longer than a write.
    private static final Duration DDL_TIMEOUT = Duration.ofSeconds(20);

    private final CassandraEventsConfig config;
    private final String agentId;
    private final AtomicLong nodeDowns = new AtomicLong();
    private CqlSession session;
    private PreparedStatement insert;

    EventTable(CassandraEventsConfig config, String agentId) {
        this.config = config;
        this.agentId = agentId;
    }

    /**
     * How often the driver has seen a node go down. A node can crash and come back between two
     * writes, so no write fails: this is how the writer learns of it anyway.
     */
    long nodeDowns() {
        return nodeDowns.get();
    }

    boolean connected() {
        return session != null;
    }

    /**
     * Opens the session and creates the schema if there is none yet; once open, checks that
     * Cassandra answers. Throws whatever the driver throws when it does not.
     */
    void ensureReady(BooleanSupplier keepTrying) throws Exception {
        if (session == null) {
            CqlSession s = open(keepTrying);
            try {
                createSchema(s);
                insert = s.prepare(SimpleStatement.newInstance(EventSchema.insert(config.keyspace())).setIdempotent(true));
            } catch (RuntimeException e) {
                s.close();
                throw e;
            }
            session = s;
        } else {
            session.execute(SimpleStatement.newInstance("SELECT release_version FROM system.local").setTimeout(config.requestTimeout()));
        }
    }

    /**
     * Writes the events, all in flight at once, and returns once every one is acknowledged.
     * Throws if any failed or the batch took longer than the request timeout: the caller
     * spools them all (the ones that did land are written again later, to the same rows).
     *
     * @return how many were written (events past their TTL are skipped)
     */
    int write(List<AgentEvent> events, Instant now) throws Exception {
        // Rows of one partition (this agent's day) go as unlogged batches: one request and one
        // mutation for many rows. Kept small, below Cassandra's 5 KiB batch warning.
        Map<String, List<BoundStatement>> byDay = new LinkedHashMap<>();
        int rows = 0;
        for (AgentEvent e : events) {
            int ttl = EventSchema.remainingTtlSeconds(e, config.ttl(), now);
            if (ttl == 0) {
                continue;
            }
            String day = EventSchema.day(e.at());
            var row = insert.boundStatementBuilder()
                .setString("agent_id", agentId).setString("day", day)
                .setInstant("at", e.at()).setUuid("id", e.id()).setString("type", e.type().name())
                .setMap("detail", e.detail(), String.class, String.class).setInt(8, ttl); // USING TTL ?: the 9th marker
            // Absent values stay unset rather than bound to null: a null would write a tombstone.
            if (e.bucket() != null) {
                row.setString("bucket", e.bucket());
            }
            if (e.key() != null) {
                row.setString("object_key", e.key());
            }
            byDay.computeIfAbsent(day, d -> new ArrayList<>()).add(row.build());
            rows++;
        }
        List<CompletableFuture<?>> inFlight = new ArrayList<>();
        for (List<BoundStatement> partition : byDay.values()) {
            for (int i = 0; i < partition.size(); i += ROWS_PER_BATCH) {
                List<BoundStatement> chunk = partition.subList(i, Math.min(partition.size(), i + ROWS_PER_BATCH));
                Statement<?> request = chunk.size() == 1 ? chunk.get(0)
                    : BatchStatement.newInstance(DefaultBatchType.UNLOGGED).addAll(chunk).setIdempotent(true);
                inFlight.add(session.executeAsync(request).toCompletableFuture());
            }
        }
        try {
            CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new))
                .get(config.requestTimeout().toMillis() + 500, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } catch (TimeoutException e) {
            inFlight.forEach(f -> f.cancel(false));
            throw e;
        }
        return rows;
    }

    private void createSchema(CqlSession s) {
        try {
            s.execute(SimpleStatement.newInstance(EventSchema.createKeyspace(config.keyspace(), config.replicationFactor())).setTimeout(DDL_TIMEOUT));
            s.execute(SimpleStatement.newInstance(EventSchema.createTable(config.keyspace(), config.ttl())).setTimeout(DDL_TIMEOUT));
        } catch (UnauthorizedException e) {
            // A role that may only write: Cassandra checks CREATE even with IF NOT EXISTS. The
            // schema may have been created by someone who may; preparing the insert tells.
            LOG.info("events: not allowed to create {}.{} ({}); using it as it is", config.keyspace(), EventSchema.TABLE, e.getMessage());
        }
    }

    @Override
    public void close() {
        if (session != null) {
            try {
                session.closeAsync().toCompletableFuture().get(5, TimeUnit.SECONDS);
            } catch (Exception e) {
                session.forceCloseAsync();
            }
            session = null;
        }
    }

    /**
     * Connects, giving up as soon as {@code keepTrying} says so: a first connection can take
     * seconds (driver start-up, a slow or absent node), and must not hold up a shutdown.
     */
    private CqlSession open(BooleanSupplier keepTrying) throws Exception {
        Duration timeout = config.requestTimeout();
        DriverConfigLoader loader = DriverConfigLoader.programmaticBuilder()
            .withString(DefaultDriverOption.SESSION_NAME, "kelp-events")
            .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, timeout)
            .withDuration(DefaultDriverOption.CONNECTION_CONNECT_TIMEOUT, timeout)
            .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, timeout)
            .withDuration(DefaultDriverOption.CONTROL_CONNECTION_TIMEOUT, timeout)
            .withDuration(DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_TIMEOUT, DDL_TIMEOUT)
            .withDuration(DefaultDriverOption.METADATA_SCHEMA_REQUEST_TIMEOUT, DDL_TIMEOUT)
            // The agent retries the first connection itself, on its own schedule, off the startup path.
            .withBoolean(DefaultDriverOption.RECONNECT_ON_INIT, false)
            // Once connected, the driver reconnects by itself; keep its wait short so a
            // restarted Cassandra is used within seconds, not the default minute.
            .withDuration(DefaultDriverOption.RECONNECTION_BASE_DELAY, Duration.ofMillis(500))
            .withDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY, config.reconnectInterval())
            // One table, written not browsed: no need to mirror every keyspace's schema.
            .withBoolean(DefaultDriverOption.METADATA_TOKEN_MAP_ENABLED, false)
            .build();
        var builder = CqlSession.builder()
            .withConfigLoader(loader)
            .addContactPoints(config.addresses())
            .withLocalDatacenter(config.localDatacenter())
            .withNodeStateListener(new NodeStateListenerBase() {
                @Override
                public void onDown(Node node) {
                    nodeDowns.incrementAndGet();
                }
            });
        if (config.authenticated()) {
            builder.withAuthCredentials(config.username(), config.password());
        }
        CompletableFuture<CqlSession> connecting = builder.buildAsync().toCompletableFuture();
        while (true) {
            try {
                return connecting.get(100, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                if (!keepTrying.getAsBoolean()) {
                    // Abandoned, not leaked: a session that still opens is closed at once.
                    connecting.thenAccept(CqlSession::closeAsync);
                    throw new IllegalStateException("connection attempt abandoned: shutting down");
                }
            } catch (ExecutionException e) {
                throw e.getCause() instanceof Exception cause ? cause : e;
            }
        }
    }
}
