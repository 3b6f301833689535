package dev.kelp.agent.multipart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.object.InvalidKeyException;
import dev.kelp.agent.object.KelpException;
import dev.kelp.agent.object.ObjectKeys;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UploadManifestTest {

    static final Instant T0 = Instant.parse("2026-12-01T08:00:00Z");

    static PartInfo part(int n, String content) {
        return new PartInfo(n, content.length(), ContentHash.ofBytes(content.getBytes()).hex());
    }

    static UploadManifest withParts(PartInfo... parts) {
        var upload = UploadManifest.initiate("media", "videos/a.mp4", "video/mp4", Map.of("author", "ada"), false, T0);
        for (PartInfo p : parts) {
            upload = upload.withPart(p);
        }
        return upload;
    }

    @Test
    void partsStayInNumberOrderAndAReuploadReplacesItsNumber() {
        var upload = withParts(part(3, "ccc"), part(1, "a"), part(2, "bb"));
        assertThat(upload.parts()).extracting(PartInfo::partNumber).containsExactly(1, 2, 3);
        assertThat(upload.totalSize()).isEqualTo(6);

        var replaced = upload.withPart(part(2, "BBBB"));
        assertThat(replaced.parts()).extracting(PartInfo::partNumber).containsExactly(1, 2, 3);
        assertThat(replaced.part(2)).contains(part(2, "BBBB"));
        assertThat(replaced.totalSize()).isEqualTo(8);
        assertThat(replaced.sizeWithout(2)).isEqualTo(4);
        // Immutable: the earlier manifest still says what it said.
        assertThat(upload.part(2)).contains(part(2, "bb"));
    }

    @Test
    void selectReturnsTheNamedPartsAndAcceptsQuotedOrBareEtagsInAnyCase() {
        var upload = withParts(part(1, "a"), part(2, "bb"), part(3, "ccc"));
        var selected = upload.select(List.of(
            new CompletedPart(1, "\"" + part(1, "a").sha256() + "\""),
            new CompletedPart(3, part(3, "ccc").sha256().toUpperCase())));
        // A subset with a gap is an object, as in S3; part 2 is left out.
        assertThat(selected).containsExactly(part(1, "a"), part(3, "ccc"));
    }

    @Test
    void selectRefusesEmptyMissingUnorderedDuplicateAndWrongEtag() {
        var upload = withParts(part(1, "a"), part(2, "bb"));
        String e1 = part(1, "a").sha256();
        String e2 = part(2, "bb").sha256();

        assertRefused(() -> upload.select(List.of()), 400, "MalformedRequest");
        assertRefused(() -> upload.select(null), 400, "MalformedRequest");
        assertRefused(() -> upload.select(List.of(new CompletedPart(1, e1), new CompletedPart(3, e2))), 400, "InvalidPart");
        assertRefused(() -> upload.select(List.of(new CompletedPart(2, e2), new CompletedPart(1, e1))), 400, "InvalidPartOrder");
        assertRefused(() -> upload.select(List.of(new CompletedPart(1, e1), new CompletedPart(1, e1))), 400, "InvalidPartOrder");
        assertRefused(() -> upload.select(List.of(new CompletedPart(1, e2))), 400, "InvalidPart");
        assertRefused(() -> upload.select(List.of(new CompletedPart(null, e1))), 400, "InvalidPart");
        assertRefused(() -> upload.select(List.of(new CompletedPart(1, null))), 400, "InvalidPart");
        assertRefused(() -> upload.select(List.of(new CompletedPart(0, e1))), 400, "InvalidPart");
        assertRefused(() -> upload.select(List.of(new CompletedPart(10_001, e1))), 400, "InvalidPart");
    }

    @Test
    void partNumbersAreOneToTenThousand() {
        assertThat(UploadManifest.parsePartNumber("1")).isEqualTo(1);
        assertThat(UploadManifest.parsePartNumber("10000")).isEqualTo(10_000);
        for (String bad : List.of("0", "10001", "-1", "abc", "", "1.5", "99999999999")) {
            assertRefused(() -> UploadManifest.parsePartNumber(bad), 400, "InvalidArgument");
        }
    }

    @Test
    void uploadIdsAreUniqueAndCanNeverBeABucketName() {
        String a = withParts().uploadId();
        String b = withParts().uploadId();
        assertThat(a).isNotEqualTo(b).matches("mpu_[0-9a-f]{32}");
        assertThat(UploadManifest.isUploadId(a)).isTrue();
        assertThatThrownBy(() -> ObjectKeys.requireValidBucket(a)).isInstanceOf(InvalidKeyException.class);
        for (String bad : List.of("", "mpu_", "../../etc", "mpu_" + "0".repeat(31), "mpu_" + "G".repeat(32), "MPU_" + "0".repeat(32))) {
            assertThat(UploadManifest.isUploadId(bad)).as(bad).isFalse();
        }
        assertThat(UploadManifest.isUploadId(null)).isFalse();
    }

    @Test
    void aManifestNeverHoldsAnInvalidKeyBucketOrPartOrder() {
        assertThatThrownBy(() -> UploadManifest.initiate("media", "a/../b", "text/plain", Map.of(), false, T0))
            .isInstanceOf(InvalidKeyException.class);
        assertThatThrownBy(() -> UploadManifest.initiate("Bad_Bucket", "a", "text/plain", Map.of(), false, T0))
            .isInstanceOf(InvalidKeyException.class);
        var upload = withParts();
        assertThatThrownBy(() -> upload.withParts(List.of(part(2, "b"), part(1, "a"))))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PartInfo(1, 1, "not-a-hash")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void expiryIsCountedFromInitiation() {
        assertThat(withParts().expiresAt(Duration.ofHours(24))).isEqualTo(Instant.parse("2026-12-02T08:00:00Z"));
    }

    @Test
    void partFilesAreNamedByNumberAndHashSoAReplacementNeverOverwritesTheOld() {
        assertThat(part(7, "x").fileName()).isEqualTo("00007-" + part(7, "x").sha256() + ".part");
        assertThat(part(7, "x").fileName()).isNotEqualTo(part(7, "y").fileName());
    }

    private static void assertRefused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, int status, String code) {
        assertThatThrownBy(call).isInstanceOfSatisfying(KelpException.class, e -> {
            assertThat(e.status()).isEqualTo(status);
            assertThat(e.code()).isEqualTo(code);
        });
    }
}
