package dev.kelp.agent.events.cassandra;

import io.micronaut.context.annotation.Requires;
import io.micronaut.core.async.publisher.Publishers;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import jakarta.inject.Singleton;
import java.util.LinkedHashMap;
import java.util.Map;
import org.reactivestreams.Publisher;

/**
 * "events" in {@code /health}: whether they reach Cassandra or wait in the spool. Always UP:
 * events are a record, not a dependency of the data path, so Cassandra being down must not
 * make the pod unready (nor change the storage mode).
 */
@Singleton
@Requires(beans = CassandraEventSink.class)
class EventsHealthIndicator implements HealthIndicator {

    private final CassandraEventSink sink;

    EventsHealthIndicator(CassandraEventSink sink) {
        this.sink = sink;
    }

    @Override
    public Publisher<HealthResult> getResult() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("destination", "cassandra");
        details.put("state", sink.state() == CassandraEventSink.State.WRITING ? "writing" : "spooling");
        if (sink.lastFailure() != null) {
            details.put("reason", sink.lastFailure());
        }
        details.put("queued", sink.queued());
        details.put("spoolSegments", sink.spool().segments());
        details.put("spoolBytes", sink.spool().bytes());
        details.put("dropped", sink.dropped());
        return Publishers.just(HealthResult.builder("events", HealthStatus.UP).details(details).build());
    }
}
