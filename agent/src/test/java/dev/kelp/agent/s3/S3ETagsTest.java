package dev.kelp.agent.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.object.ObjectRecord;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class S3ETagsTest {

    private static String md5(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
    }

    @Test
    void theMultipartETagIsTheMd5OfTheBinaryPartMd5sAndTheirCount() throws Exception {
        byte[] one = "first part".getBytes();
        byte[] two = "second part".getBytes();
        // What S3 (and rclone's and s3etag's own arithmetic) make of it: written out by hand.
        var concatenated = new java.io.ByteArrayOutputStream();
        concatenated.write(MessageDigest.getInstance("MD5").digest(one));
        concatenated.write(MessageDigest.getInstance("MD5").digest(two));
        String expected = md5(concatenated.toByteArray()) + "-2";

        assertThat(S3ETags.multipart(List.of(md5(one), md5(two)))).isEqualTo(expected);
        // The order of the parts counts; one part is "-1", not the part's own MD5.
        assertThat(S3ETags.multipart(List.of(md5(two), md5(one)))).isNotEqualTo(expected);
        assertThat(S3ETags.multipart(List.of(md5(one)))).isEqualTo(md5(MessageDigest.getInstance("MD5").digest(one)) + "-1");
    }

    @Test
    void aKnownValue() {
        // Two empty parts, worked out outside Java:
        // printf d41d8cd98f00b204e9800998ecf8427ed41d8cd98f00b204e9800998ecf8427e | xxd -r -p | md5sum
        assertThat(S3ETags.multipart(List.of("d41d8cd98f00b204e9800998ecf8427e", "d41d8cd98f00b204e9800998ecf8427e")))
            .isEqualTo("5873dd45edd01f09c1ef2e7819369e8e-2");
    }

    @Test
    void noPartsOrSomethingElseThanAnMd5IsRefused() {
        assertThatThrownBy(() -> S3ETags.multipart(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> S3ETags.multipart(List.of("abcd"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anObjectShowsItsMultipartETagAndConditionsMatchEveryETagItWasShownWith() {
        ContentHash sha = ContentHash.ofBytes("whole".getBytes());
        String md5 = "0123456789abcdef0123456789abcdef";
        String multipart = "fedcba9876543210fedcba9876543210-3";
        var record = new ObjectRecord("b", "k", 1, sha, 5, "text/plain",
            Map.of(S3ETags.MD5_KEY, md5, S3ETags.MULTIPART_KEY, multipart, "owner", "ada"), Instant.now());

        assertThat(S3ETags.of(record)).isEqualTo("\"" + multipart + "\"");
        assertThat(S3ETags.matches("\"" + multipart + "\"", record)).isTrue();
        assertThat(S3ETags.matches("\"" + sha.hex() + "\"", record)).isTrue();
        assertThat(S3ETags.matches("W/\"" + md5 + "\"", record)).isTrue();
        assertThat(S3ETags.matches("\"fedcba9876543210fedcba9876543210-4\"", record)).isFalse();
        assertThat(S3ETags.userMetadata(record)).containsExactly(Map.entry("owner", "ada"));
        // A copy is one part: neither ETag is carried over.
        assertThat(S3ETags.withoutMd5(record)).containsOnlyKeys("owner");
        assertThat(S3ETags.reserved(S3ETags.MULTIPART_KEY)).isTrue();
    }
}
