package dev.kelp.agent.blob.remote;

import static dev.kelp.agent.blob.remote.SeaweedFsErrors.Kind.CREDENTIALS;
import static dev.kelp.agent.blob.remote.SeaweedFsErrors.Kind.NOT_FOUND;
import static dev.kelp.agent.blob.remote.SeaweedFsErrors.Kind.REJECTED;
import static dev.kelp.agent.blob.remote.SeaweedFsErrors.Kind.UNAVAILABLE;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import org.apache.http.NoHttpResponseException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

class SeaweedFsErrorsTest {

    private static S3Exception s3(int status, String code) {
        var details = AwsErrorDetails.builder().errorCode(code.isEmpty() ? null : code).build();
        return (S3Exception) S3Exception.builder().statusCode(status).awsErrorDetails(details).message("x").build();
    }

    @Test
    void aMissingKeyOrBucketIsNotFoundAndNoFailure() {
        var noKey = NoSuchKeyException.builder().statusCode(404).build();
        var noBucket = NoSuchBucketException.builder().statusCode(404).build();

        assertThat(SeaweedFsErrors.classify(noKey)).isEqualTo(NOT_FOUND);
        assertThat(SeaweedFsErrors.classify(noBucket)).isEqualTo(NOT_FOUND);
        assertThat(SeaweedFsErrors.classify(s3(404, ""))).isEqualTo(NOT_FOUND);
        assertThat(SeaweedFsErrors.isFailure(noKey)).isFalse();
    }

    @ParameterizedTest(name = "HTTP {0} {1} is {2}")
    @CsvSource({
        "403, InvalidAccessKeyId, CREDENTIALS",
        "403, SignatureDoesNotMatch, CREDENTIALS",
        "403, AccessDenied, CREDENTIALS",
        "403, '', CREDENTIALS",
        "400, InvalidAccessKeyId, CREDENTIALS",
        "403, RequestTimeTooSkewed, REJECTED",
        "400, InvalidArgument, REJECTED",
        "409, BucketNotEmpty, REJECTED",
        "416, InvalidRange, REJECTED",
        "408, RequestTimeout, UNAVAILABLE",
        "429, SlowDown, UNAVAILABLE",
        "500, InternalError, UNAVAILABLE",
        "502, '', UNAVAILABLE",
        "503, SlowDown, UNAVAILABLE",
    })
    void serviceErrorsAreSortedByStatusAndCode(int status, String code, SeaweedFsErrors.Kind expected) {
        assertThat(SeaweedFsErrors.classify(s3(status, code))).isEqualTo(expected);
        assertThat(SeaweedFsErrors.isFailure(s3(status, code))).isEqualTo(expected == UNAVAILABLE);
    }

    @Test
    void noAnswerAtAllIsAFailure() {
        var refused = SdkClientException.create("Unable to execute HTTP request: Connect to 127.0.0.1:8333 failed: Connection refused",
            new ConnectException("Connection refused"));
        var timeout = ApiCallAttemptTimeoutException.create(2000);
        var hungRead = SdkClientException.create("Unable to execute HTTP request", new SocketTimeoutException("Read timed out"));
        var dropped = SdkClientException.create("Unable to execute HTTP request",
            new NoHttpResponseException("127.0.0.1:8333 failed to respond"));
        var brokenBody = new UncheckedIOException(new java.io.IOException("Premature end of Content-Length delimited message body"));

        assertThat(java.util.List.of(refused, timeout, hungRead, dropped, brokenBody))
            .allSatisfy(e -> {
                assertThat(SeaweedFsErrors.classify(e)).isEqualTo(UNAVAILABLE);
                assertThat(SeaweedFsErrors.isFailure(e)).isTrue();
            });
    }

    @Test
    void timeoutsAreToldApartFromRefusals() {
        var refused = SdkClientException.create("x", new ConnectException("Connection refused"));
        var hungRead = SdkClientException.create("x", new SocketTimeoutException("Read timed out"));

        assertThat(SeaweedFsErrors.isTimeout(ApiCallAttemptTimeoutException.create(2000))).isTrue();
        assertThat(SeaweedFsErrors.isTimeout(hungRead)).isTrue();
        assertThat(SeaweedFsErrors.isTimeout(refused)).isFalse();
        assertThat(SeaweedFsErrors.isTimeout(s3(503, "SlowDown"))).isFalse();
    }

    @Test
    void anOpenBreakerIsNotItselfAFailureSoItIsNeverRetriedNorCounted() {
        var open = CallNotPermittedException.createCallNotPermittedException(CircuitBreaker.ofDefaults("t"));

        assertThat(SeaweedFsErrors.isFailure(open)).isFalse();
    }

    @Test
    void descriptionsAreShortAndSayWhatHappened() {
        var refused = SdkClientException.create("Unable to execute HTTP request: Connect to 127.0.0.1:8333 [/127.0.0.1] failed: Connection refused",
            new ConnectException("Connect to 127.0.0.1:8333 [/127.0.0.1] failed: Connection refused"));

        assertThat(SeaweedFsErrors.describe(refused)).isEqualTo("Connection refused");
        assertThat(SeaweedFsErrors.describe(ApiCallAttemptTimeoutException.create(2000))).isEqualTo("no answer in time");
        assertThat(SeaweedFsErrors.describe(s3(503, "SlowDown"))).isEqualTo("HTTP 503 SlowDown");
        assertThat(SeaweedFsErrors.describe(s3(403, ""))).isEqualTo("HTTP 403");
    }
}
