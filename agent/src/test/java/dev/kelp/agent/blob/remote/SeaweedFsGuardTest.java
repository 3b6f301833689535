package dev.kelp.agent.blob.remote;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.agent.blob.BlobStoreUnavailableException;
import dev.kelp.agent.events.AgentEvent;
import dev.kelp.agent.mode.Mode;
import dev.kelp.agent.mode.ModeMonitor;
import dev.kelp.agent.object.KelpException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.ConnectException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

class SeaweedFsGuardTest {

    private final List<AgentEvent> events = new CopyOnWriteArrayList<>();
    private final ModeMonitor mode = new ModeMonitor(events::add, new SimpleMeterRegistry(), "http://127.0.0.1:1");
    private final SeaweedFsConfig defaults = TestConfigs.defaults("http://127.0.0.1:1", "kelp", "secret");
    private final AtomicInteger attempts = new AtomicInteger();

    private static RuntimeException refused() {
        return SdkClientException.create("Unable to execute HTTP request: Connect to 127.0.0.1:1 failed: Connection refused",
            new ConnectException("Connection refused"));
    }

    private static S3Exception s3(int status, String code) {
        return (S3Exception) S3Exception.builder().statusCode(status)
            .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).build()).message(code).build();
    }

    private <T> Supplier<T> failing(RuntimeException error) {
        return () -> {
            attempts.incrementAndGet();
            throw error;
        };
    }

    @Test
    void connectionFailuresOpenTheBreakerAndTurnTheModeToFallbackWithAReadableReason() {
        var guard = new SeaweedFsGuard(defaults, mode);

        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> guard.call("store blob", failing(refused())))
                .isInstanceOf(BlobStoreUnavailableException.class);
        }

        assertThat(guard.state()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(attempts).hasValue(3);
        assertThat(mode.current().mode()).isEqualTo(Mode.FALLBACK);
        assertThat(mode.current().reasons()).containsExactly("seaweedfs: 3 of 3 calls failed: Connection refused");
    }

    @Test
    void anOpenBreakerFailsCallsAtOnceWithoutTouchingSeaweedFs() {
        var guard = new SeaweedFsGuard(defaults, mode);
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> guard.call("store blob", failing(refused())));
        }
        attempts.set(0);

        long start = System.nanoTime();
        assertThatThrownBy(() -> guard.call("store blob x", failing(refused())))
            .isInstanceOf(BlobStoreUnavailableException.class)
            .hasCauseInstanceOf(CallNotPermittedException.class)
            .hasMessageContaining("circuit breaker open after: Connection refused");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(20));
        assertThat(attempts).hasValue(0);
    }

    @Test
    void aTransientFailureIsRetriedAfterABackoffAndTheCallSucceeds() {
        var guard = new SeaweedFsGuard(defaults, mode);

        long start = System.nanoTime();
        String result = guard.call("read", () -> {
            if (attempts.incrementAndGet() == 1) {
                throw refused();
            }
            return "bytes";
        });

        assertThat(result).isEqualTo("bytes");
        assertThat(attempts).hasValue(2);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(50));
        assertThat(mode.current().mode()).isEqualTo(Mode.FULL);
    }

    @Test
    void timeoutsAreNotRetriedAndThreeInARowOpenTheBreakerDespiteEarlierSuccesses() {
        var guard = new SeaweedFsGuard(defaults, mode);
        for (int i = 0; i < 10; i++) {
            guard.call("list", () -> "ok");
        }

        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> guard.call("store blob", failing(ApiCallAttemptTimeoutException.create(2000))))
                .isInstanceOf(BlobStoreUnavailableException.class).hasMessageContaining("no answer in time");
        }

        assertThat(attempts).as("one attempt per call: a hung server is not waited on twice").hasValue(3);
        assertThat(guard.state()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(mode.current().reasons()).containsExactly("seaweedfs: 3 calls in a row failed: no answer in time");
    }

    @Test
    void anAnswerBetweenFailuresResetsTheRunOfFailures() {
        var guard = new SeaweedFsGuard(defaults, mode);
        for (int i = 0; i < 10; i++) {
            guard.call("list", () -> "ok");
        }

        for (int i = 0; i < 4; i++) {
            assertThatThrownBy(() -> guard.call("store blob", failing(ApiCallAttemptTimeoutException.create(2000))));
            assertThat(guard.lastCallFailed()).isTrue();
            assertThatThrownBy(() -> guard.call("read", failing(NoSuchKeyException.builder().statusCode(404).build())));
            assertThat(guard.lastCallFailed()).isFalse();
        }

        assertThat(guard.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(mode.current().mode()).isEqualTo(Mode.FULL);
    }

    @Test
    void missingKeysAreAnswersNotFailuresAndAreNeitherRetriedNorCounted() {
        var guard = new SeaweedFsGuard(defaults, mode);

        for (int i = 0; i < 20; i++) {
            assertThatThrownBy(() -> guard.call("read", failing(NoSuchKeyException.builder().statusCode(404).build())))
                .isInstanceOf(NotFoundInSeaweedFs.class);
        }

        assertThat(attempts).hasValue(20);
        assertThat(guard.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(mode.current().mode()).isEqualTo(Mode.FULL);
    }

    @Test
    void refusedCredentialsMakeTheAgentLocalOnlyUntilACallSucceeds() {
        var guard = new SeaweedFsGuard(defaults, mode);

        assertThatThrownBy(() -> guard.call("store blob", failing(s3(403, "SignatureDoesNotMatch"))))
            .isInstanceOf(BlobStoreUnavailableException.class)
            .hasMessageContaining("refused the credentials of access key kelp");
        assertThat(attempts).as("a refused key is not retried").hasValue(1);
        assertThat(guard.credentialsRefused()).isTrue();
        assertThat(guard.state()).as("SeaweedFS answered: the breaker stays closed").isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(mode.current().mode()).isEqualTo(Mode.LOCAL_ONLY);
        assertThat(mode.current().reasons()).containsExactly(
            "seaweedfs_credentials: access key kelp refused: HTTP 403 SignatureDoesNotMatch");

        guard.call("list", () -> "ok");

        assertThat(guard.credentialsRefused()).isFalse();
        assertThat(mode.current().mode()).isEqualTo(Mode.FULL);
        assertThat(events).extracting(e -> e.detail().get("to")).containsExactly("LOCAL_ONLY", "FULL");
    }

    @Test
    void aRangeOutsideTheObjectIsTheCallersMistake() {
        var guard = new SeaweedFsGuard(defaults, mode);

        assertThatThrownBy(() -> guard.call("read blob", failing(s3(416, "InvalidRange"))))
            .isInstanceOfSatisfying(KelpException.class, e -> {
                assertThat(e.status()).isEqualTo(416);
                assertThat(e.code()).isEqualTo("InvalidRange");
            });
        assertThat(guard.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    @Test
    void probesAfterTheWaitCloseTheBreakerAndTheModeReturnsToFull() throws InterruptedException {
        var quick = new SeaweedFsConfig(defaults.endpoint(), defaults.region(), "kelp", "secret", defaults.connectTimeout(),
            defaults.readTimeout(), defaults.attemptTimeoutBase(), 8, 2, Duration.ofMillis(1), defaults.probeInterval(),
            defaults.slowProbeInterval(), defaults.probeTimeout(), new SeaweedFsConfig.Breaker(50f, 10, 3, Duration.ofMillis(100), 2, 3));
        var guard = new SeaweedFsGuard(quick, mode);
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> guard.call("store blob", failing(refused())));
        }
        assertThat(mode.current().mode()).isEqualTo(Mode.FALLBACK);

        assertThat(guard.probe(() -> attempts.incrementAndGet())).as("refused while the breaker waits").isFalse();
        assertThat(attempts).hasValue(3);
        Thread.sleep(150);
        assertThat(guard.probe(() -> attempts.incrementAndGet())).isTrue();
        assertThat(guard.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        assertThat(guard.probe(() -> attempts.incrementAndGet())).isTrue();

        assertThat(guard.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(mode.current().mode()).isEqualTo(Mode.FULL);
    }

    @Test
    void aFailedProbeInHalfOpenReopensTheBreaker() throws InterruptedException {
        var quick = new SeaweedFsConfig(defaults.endpoint(), defaults.region(), "kelp", "secret", defaults.connectTimeout(),
            defaults.readTimeout(), defaults.attemptTimeoutBase(), 8, 2, Duration.ofMillis(1), defaults.probeInterval(),
            defaults.slowProbeInterval(), defaults.probeTimeout(), new SeaweedFsConfig.Breaker(50f, 10, 3, Duration.ofMillis(100), 2, 3));
        var guard = new SeaweedFsGuard(quick, mode);
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> guard.call("store blob", failing(refused())));
        }
        Thread.sleep(150);

        assertThat(guard.probe(() -> {
            throw refused();
        })).isFalse();
        assertThat(guard.probe(() -> { })).isTrue();

        assertThat(guard.state()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(mode.current().mode()).isEqualTo(Mode.FALLBACK);
        assertThat(mode.current().reasons()).containsExactly("seaweedfs: 1 of 2 calls failed: Connection refused");
    }
}
