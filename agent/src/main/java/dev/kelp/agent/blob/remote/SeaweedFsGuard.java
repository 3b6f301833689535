package dev.kelp.agent.blob.remote;

import dev.kelp.agent.blob.BlobContentMismatchException;
import dev.kelp.agent.blob.BlobStoreUnavailableException;
import dev.kelp.agent.mode.ModeMonitor;
import dev.kelp.agent.mode.Signal;
import dev.kelp.agent.object.KelpException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.exception.AwsServiceException;

/**
 * Every call to SeaweedFS goes through here: a retry with exponential backoff around a circuit
 * breaker, so a dead SeaweedFS costs callers a few milliseconds (breaker open) instead of a
 * timeout each. Breaker transitions and credential refusals become mode signals.
 */
@Singleton
@Requires(property = "kelp.seaweedfs.endpoint")
class SeaweedFsGuard {

    private static final Logger LOG = LoggerFactory.getLogger(SeaweedFsGuard.class);
    /** What SeaweedFS answers when a body does not match the SHA-256 sent with it (KnownHashSigner). */
    private static final Set<String> CONTENT_MISMATCH_CODES = Set.of("BadDigest", "XAmzContentSHA256Mismatch");

    private final CircuitBreaker breaker;
    private final Retry retry;
    private final ModeMonitor mode;
    private final String accessKey;
    private final int consecutiveFailureLimit;
    /** Failures since SeaweedFS last answered; any answer resets it. */
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    /** The last failure counted against the breaker, for the reason people read. */
    private volatile String lastFailure = "no failure recorded";
    /** Set just before the guard itself opens the breaker, for the reason people read. */
    private volatile String forcedOpenReason;
    /** Why SeaweedFS refuses our credentials; null while it accepts them. */
    private volatile String credentialsProblem;

    SeaweedFsGuard(SeaweedFsConfig config, ModeMonitor mode) {
        this.mode = mode;
        this.accessKey = config.accessKey() == null ? "(anonymous)" : config.accessKey();
        var b = config.breaker();
        this.consecutiveFailureLimit = b.consecutiveFailures();
        this.breaker = CircuitBreaker.of("seaweedfs", CircuitBreakerConfig.custom()
            .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
            .slidingWindowSize(b.slidingWindowSize())
            .minimumNumberOfCalls(b.minimumNumberOfCalls())
            .failureRateThreshold(b.failureRateThreshold())
            .waitDurationInOpenState(b.waitInOpenState())
            .permittedNumberOfCallsInHalfOpenState(b.permittedCallsInHalfOpen())
            // A missing key or a refused request is SeaweedFS answering: it counts as a success.
            .recordException(SeaweedFsErrors::isFailure)
            .build());
        this.retry = Retry.of("seaweedfs", RetryConfig.custom()
            .maxAttempts(config.retryAttempts())
            .intervalFunction(IntervalFunction.ofExponentialBackoff(config.retryInitialBackoff(), 2.0))
            // Never retry an open breaker: failing fast is its whole point. Nor a timeout: the
            // server is hung, and a second wait would only double the caller's before it falls back.
            .retryOnException(e -> SeaweedFsErrors.isFailure(e) && !SeaweedFsErrors.isTimeout(e))
            .build());
        breaker.getEventPublisher().onStateTransition(e -> onTransition(e.getStateTransition()));
    }

    /**
     * Runs {@code call} with retries behind the breaker. A missing key or bucket comes out as
     * {@link NotFoundInSeaweedFs}; SeaweedFS being down, or refusing us, as
     * {@link BlobStoreUnavailableException}.
     */
    <T> T call(String what, Supplier<T> call) {
        Supplier<T> guarded = Retry.decorateSupplier(retry, counted(CircuitBreaker.decorateSupplier(breaker, observed(call))));
        try {
            return guarded.get();
        } catch (CallNotPermittedException e) {
            throw new BlobStoreUnavailableException(
                "SeaweedFS is unavailable (circuit breaker open after: " + lastFailure + "); did not try to " + what, e);
        } catch (RuntimeException e) {
            throw translate(what, e);
        }
    }

    /**
     * One attempt behind the breaker, no retry: the health probe. True when SeaweedFS answered
     * and accepted our credentials. An open breaker refuses it, so a probe costs SeaweedFS nothing
     * until the breaker's wait is over.
     */
    boolean probe(Runnable call) {
        try {
            counted(CircuitBreaker.decorateSupplier(breaker, observed(() -> {
                call.run();
                return null;
            }))).get();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    CircuitBreaker.State state() {
        return breaker.getState();
    }

    /** True while the last call or probe got no answer: the probe then looks again soon. */
    boolean lastCallFailed() {
        return consecutiveFailures.get() > 0;
    }

    boolean credentialsRefused() {
        return credentialsProblem != null;
    }

    /**
     * Opens the breaker after {@code consecutive-failures} failures in a row, whatever the
     * failure rate: on a hung server every attempt waits out its timeout, and a window full of
     * earlier successes would otherwise need five of those (ten seconds) before it opens.
     */
    private <T> Supplier<T> counted(Supplier<T> breakerCall) {
        return () -> {
            try {
                T result = breakerCall.get();
                consecutiveFailures.set(0);
                return result;
            } catch (CallNotPermittedException e) {
                throw e;
            } catch (RuntimeException e) {
                if (!SeaweedFsErrors.isFailure(e)) {
                    consecutiveFailures.set(0);
                } else if (consecutiveFailures.incrementAndGet() >= consecutiveFailureLimit) {
                    openAfterConsecutiveFailures();
                }
                throw e;
            }
        };
    }

    private synchronized void openAfterConsecutiveFailures() {
        if (breaker.getState() == CircuitBreaker.State.CLOSED) {
            forcedOpenReason = consecutiveFailures.get() + " calls in a row failed: " + lastFailure;
            breaker.transitionToOpenState();
        }
    }

    private <T> Supplier<T> observed(Supplier<T> call) {
        return () -> {
            try {
                T result = call.get();
                credentialsAccepted();
                return result;
            } catch (RuntimeException e) {
                switch (SeaweedFsErrors.classify(e)) {
                    case CREDENTIALS -> credentialsRejected(e);
                    case UNAVAILABLE -> lastFailure = SeaweedFsErrors.describe(e);
                    case NOT_FOUND -> credentialsAccepted();
                    case REJECTED -> { }
                }
                throw e;
            }
        };
    }

    private RuntimeException translate(String what, RuntimeException e) {
        return switch (SeaweedFsErrors.classify(e)) {
            case NOT_FOUND -> new NotFoundInSeaweedFs(e);
            case CREDENTIALS -> new BlobStoreUnavailableException("SeaweedFS refused the credentials of access key "
                + accessKey + " (" + SeaweedFsErrors.describe(e) + "); could not " + what, e);
            case REJECTED -> rejected(what, e);
            case UNAVAILABLE -> new BlobStoreUnavailableException(
                "SeaweedFS could not " + what + ": " + SeaweedFsErrors.describe(e), e);
        };
    }

    private static RuntimeException rejected(String what, RuntimeException e) {
        if (e instanceof AwsServiceException service && service.statusCode() == 416) {
            return new KelpException(416, "InvalidRange", "the requested range is outside the object (" + what + ")");
        }
        if (e instanceof AwsServiceException service && CONTENT_MISMATCH_CODES.contains(SeaweedFsErrors.errorCode(service))) {
            return new BlobContentMismatchException("SeaweedFS refused to " + what + ": the bytes sent do not hash to the blob's name ("
                + SeaweedFsErrors.describe(e) + "); nothing was stored");
        }
        return new BlobStoreUnavailableException("SeaweedFS refused to " + what + ": " + SeaweedFsErrors.describe(e), e);
    }

    // Reports only on a change, so the hot path costs one volatile read. The field is published
    // after the report, under the lock: whoever sees it set knows the mode already says so.
    private void credentialsAccepted() {
        if (credentialsProblem == null) {
            return;
        }
        synchronized (this) {
            if (credentialsProblem != null) {
                LOG.info("SeaweedFS accepts our credentials again");
                mode.report(Signal.SEAWEEDFS_CREDENTIALS, true, null);
                credentialsProblem = null;
            }
        }
    }

    private void credentialsRejected(RuntimeException e) {
        String reason = "access key " + accessKey + " refused: " + SeaweedFsErrors.describe(e);
        // A HEAD answer has no error code; keep the more telling reason of a GET or PUT once seen.
        boolean moreTelling = e instanceof AwsServiceException service && !SeaweedFsErrors.errorCode(service).isEmpty();
        if (alreadyKnown(reason, moreTelling)) {
            return;
        }
        synchronized (this) {
            if (alreadyKnown(reason, moreTelling)) {
                return;
            }
            if (credentialsProblem == null) {
                LOG.error("SeaweedFS refuses our credentials: {}", reason);
            }
            mode.report(Signal.SEAWEEDFS_CREDENTIALS, false, reason);
            credentialsProblem = reason;
        }
    }

    private boolean alreadyKnown(String reason, boolean moreTelling) {
        String known = credentialsProblem;
        return known != null && (!moreTelling || reason.equals(known));
    }

    private void onTransition(CircuitBreaker.StateTransition transition) {
        switch (transition.getToState()) {
            case OPEN, FORCED_OPEN -> {
                var metrics = breaker.getMetrics();
                String reason = forcedOpenReason != null ? forcedOpenReason
                    : metrics.getNumberOfFailedCalls() + " of " + metrics.getNumberOfBufferedCalls() + " calls failed: " + lastFailure;
                forcedOpenReason = null;
                LOG.warn("SeaweedFS circuit breaker {}: {}", transition, reason);
                mode.report(Signal.SEAWEEDFS, false, reason);
            }
            case CLOSED -> {
                consecutiveFailures.set(0);
                LOG.info("SeaweedFS circuit breaker {}: SeaweedFS answers again", transition);
                mode.report(Signal.SEAWEEDFS, true, null);
            }
            default -> LOG.info("SeaweedFS circuit breaker {}", transition);
        }
    }
}
