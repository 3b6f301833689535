package dev.kelp.agent.report;

import io.micronaut.health.HealthStatus;
import io.micronaut.management.endpoint.health.HealthEndpoint;
import io.micronaut.management.health.indicator.HealthCheckType;
import io.micronaut.management.health.indicator.HealthResult;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;

/**
 * Whether the agent is ready, with the same answer {@code /health/readiness} gives the
 * kubelet, so the operator's "ready" count agrees with what Kubernetes routes traffic to.
 */
@Singleton
@Requires(beans = ReportConfig.class)
class Readiness {

    private static final Duration LIMIT = Duration.ofSeconds(2);

    private final HealthEndpoint health;

    Readiness(HealthEndpoint health) {
        this.health = health;
    }

    /** UP within two seconds; a check that hangs counts as not ready. */
    boolean ready() throws InterruptedException {
        var result = new CompletableFuture<HealthResult>();
        health.getHealth(null, HealthCheckType.READINESS).subscribe(new Subscriber<>() {
            @Override
            public void onSubscribe(Subscription s) {
                s.request(1);
            }

            @Override
            public void onNext(HealthResult r) {
                result.complete(r);
            }

            @Override
            public void onError(Throwable t) {
                result.completeExceptionally(t);
            }

            @Override
            public void onComplete() {
                result.complete(null);
            }
        });
        try {
            HealthResult r = result.get(LIMIT.toMillis(), TimeUnit.MILLISECONDS);
            return r != null && HealthStatus.UP.equals(r.getStatus());
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }
}
