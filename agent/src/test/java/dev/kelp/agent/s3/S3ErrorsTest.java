package dev.kelp.agent.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.agent.blob.InsufficientStorageException;
import dev.kelp.agent.blob.PayloadTooLargeException;
import dev.kelp.agent.object.InvalidKeyException;
import dev.kelp.agent.object.KelpException;
import dev.kelp.agent.object.ObjectKeys;
import dev.kelp.agent.object.ObjectNotFoundException;
import dev.kelp.agent.object.RequestRefusedException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The engine's refusals as the S3 codes docs/s3.md promises. */
class S3ErrorsTest {

    private static void maps(KelpException engine, int status, String code) {
        S3Exception s3 = S3Errors.of(engine);
        assertThat(s3.status()).as(engine.code()).isEqualTo(status);
        assertThat(s3.code()).as(engine.code()).isEqualTo(code);
        assertThat(s3.getMessage()).isNotBlank();
    }

    private static InvalidKeyException keyError(String key) {
        try {
            ObjectKeys.requireValidKey(key);
        } catch (InvalidKeyException e) {
            return e;
        }
        throw new AssertionError(key + " is valid");
    }

    private static InvalidKeyException bucketError(String bucket) {
        try {
            ObjectKeys.requireValidBucket(bucket);
        } catch (InvalidKeyException e) {
            return e;
        }
        throw new AssertionError(bucket + " is valid");
    }

    @Test
    void engineRefusalsGetTheClosestS3Code() {
        maps(new ObjectNotFoundException("b", "k"), 404, "NoSuchKey");
        maps(RequestRefusedException.unknownBucket("b"), 404, "NoSuchBucket");
        maps(RequestRefusedException.tooLarge(10, 5), 400, "EntityTooLarge");
        maps(new PayloadTooLargeException(5), 400, "EntityTooLarge");
        maps(RequestRefusedException.preconditionFailed("x"), 412, "PreconditionFailed");
        maps(RequestRefusedException.contentType("text/x", List.of("image/*")), 400, "InvalidArgument");
        maps(RequestRefusedException.quota("b", "too much"), 403, "QuotaExceeded");
        maps(new InsufficientStorageException("full"), 503, "SlowDown");
        maps(RequestRefusedException.unavailable("later"), 503, "ServiceUnavailable");
        maps(keyError("a//b"), 400, "InvalidArgument");
        maps(keyError("x".repeat(1025)), 400, "KeyTooLongError");
        maps(bucketError("Not_A_Bucket"), 400, "InvalidBucketName");
    }
}
