package dev.kelp.agent.events.cassandra;

import dev.kelp.agent.config.ByteSize;
import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Where and how events are written to Cassandra; setting {@code contact-points} turns it on
 * (otherwise events go to a local file, see {@code FileEventSink}).
 *
 * @param contactPoints     {@code host:port} of one or more Cassandra nodes
 * @param localDatacenter   the datacenter the driver routes to (a single node's is usually {@code datacenter1})
 * @param keyspace          created if missing, with SimpleStrategy
 * @param replicationFactor used only when this agent creates the keyspace
 * @param ttl               how long an event is kept: the table's default TTL and each insert's
 * @param batchSize         events written at once (all in flight together, then awaited)
 * @param flushInterval     the longest an event waits in memory for its batch to fill up
 * @param requestTimeout    a write (and a connection attempt) that takes longer counts as an outage
 * @param reconnectInterval how often the agent tries Cassandra again while it is spooling
 * @param redeliverWindow   events written this recently are written again after an outage:
 *                          Cassandra acknowledges a write before it syncs its commit log
 *                          ({@code commitlog_sync: periodic}, every 10 s by default), so a
 *                          node that crashes loses what it acknowledged in that window.
 *                          Keep it above the cluster's {@code commitlog_sync_period}; 0 turns it off
 * @param queueCapacity     events held in memory; beyond it an emit is dropped (and counted)
 * @param spoolMaxBytes     disk the spool may take; when full the oldest segment is dropped
 * @param username          optional, with password
 * @param password          optional, with username
 */
@ConfigurationProperties("kelp.events.cassandra")
public record CassandraEventsConfig(
    @NotEmpty List<String> contactPoints,
    @NotBlank String localDatacenter,
    @Bindable(defaultValue = "kelp_events") @NotBlank String keyspace,
    @Bindable(defaultValue = "1") @Min(1) @Max(9) int replicationFactor,
    @Bindable(defaultValue = "30d") Duration ttl,
    @Bindable(defaultValue = "100") @Min(1) @Max(5000) int batchSize,
    @Bindable(defaultValue = "250ms") Duration flushInterval,
    @Bindable(defaultValue = "2s") Duration requestTimeout,
    @Bindable(defaultValue = "2s") Duration reconnectInterval,
    @Bindable(defaultValue = "15s") Duration redeliverWindow,
    @Bindable(defaultValue = "10000") @Min(1) int queueCapacity,
    @Bindable(defaultValue = "256MiB") @ByteSize @Min(4096) long spoolMaxBytes,
    @Nullable String username,
    @Nullable String password) {

    // Unquoted CQL identifiers: the keyspace is spliced into DDL, so nothing else may pass.
    private static final Pattern KEYSPACE = Pattern.compile("[a-zA-Z][a-zA-Z0-9_]{0,47}");

    public CassandraEventsConfig {
        contactPoints = List.copyOf(contactPoints);
        contactPoints.forEach(CassandraEventsConfig::address);
        if (!KEYSPACE.matcher(keyspace).matches()) {
            throw new IllegalArgumentException("kelp.events.cassandra.keyspace must be a plain CQL name (letters, digits, _; at most 48): " + keyspace);
        }
        requirePositive("ttl", ttl);
        requirePositive("flush-interval", flushInterval);
        requirePositive("request-timeout", requestTimeout);
        requirePositive("reconnect-interval", reconnectInterval);
        if (redeliverWindow == null || redeliverWindow.isNegative()) {
            throw new IllegalArgumentException("kelp.events.cassandra.redeliver-window must be 0 or more: " + redeliverWindow);
        }
        if (ttl.toSeconds() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("kelp.events.cassandra.ttl is longer than Cassandra allows: " + ttl);
        }
        if ((username == null || username.isBlank()) != (password == null || password.isBlank())) {
            throw new IllegalArgumentException("kelp.events.cassandra.username and password go together: set both or neither");
        }
    }

    public List<InetSocketAddress> addresses() {
        return contactPoints.stream().map(CassandraEventsConfig::address).toList();
    }

    public boolean authenticated() {
        return username != null && !username.isBlank();
    }

    static InetSocketAddress address(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException("kelp.events.cassandra.contact-points takes host:port, not " + hostPort);
        }
        int port;
        try {
            port = Integer.parseInt(hostPort.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("kelp.events.cassandra.contact-points: bad port in " + hostPort);
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("kelp.events.cassandra.contact-points: bad port in " + hostPort);
        }
        // Unresolved: a name that does not resolve yet (DNS not ready at pod start) must not fail the startup.
        return InetSocketAddress.createUnresolved(hostPort.substring(0, colon), port);
    }

    private static void requirePositive(String name, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("kelp.events.cassandra." + name + " must be positive: " + d);
        }
    }
}
