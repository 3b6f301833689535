package dev.kelp.agent.multipart;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.agent.blob.BlobStaging;
import dev.kelp.agent.blob.InsufficientStorageException;
import dev.kelp.agent.blob.StagedBlob;
import dev.kelp.agent.fallback.FallbackConfig;
import dev.kelp.agent.fallback.FallbackVolume;
import io.micronaut.json.JsonMapper;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The upload files on a real directory, across "restarts" (a new volume and store on the same directory). */
class UploadStoreTest {

    private static final JsonMapper JSON = JsonMapper.createDefault();

    @TempDir
    Path dir;

    private FallbackVolume volume;
    private BlobStaging staging;
    private UploadStore store;

    private void start(long maxBytes) {
        volume = new FallbackVolume(new FallbackConfig(dir, maxBytes, 0));
        staging = new BlobStaging(volume);
        store = new UploadStore(volume, JSON);
    }

    private UploadManifest newUpload() {
        var upload = UploadManifest.initiate("media", "videos/a.mp4", "video/mp4", Map.of("author", "ada"), true, Instant.now());
        store.create(upload);
        return upload;
    }

    private UploadManifest add(UploadManifest upload, int n, String content) throws Exception {
        try (StagedBlob staged = staging.stage(new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)), Long.MAX_VALUE)) {
            return store.addPart(upload, staged, new PartInfo(n, staged.size(), staged.hash().hex()));
        }
    }

    private List<String> filesOf(UploadManifest upload) throws Exception {
        try (Stream<Path> files = Files.list(dir.resolve("uploads").resolve(upload.uploadId()))) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void partsAndManifestSurviveARestartAndCountAgainstTheVolume() throws Exception {
        start(0);
        var upload = add(add(newUpload(), 1, "hello "), 2, "world");
        assertThat(volume.partBytes()).isEqualTo(11);
        assertThat(volume.stagingBytes()).isZero();

        start(0);
        var loaded = store.loadAll();
        assertThat(loaded).containsExactly(upload);
        assertThat(volume.partBytes()).isEqualTo(11);
        assertThat(Files.readString(store.fileOf(upload, upload.part(1).orElseThrow()))).isEqualTo("hello ");
        assertThat(loaded.getFirst().createOnly()).isTrue();
        assertThat(loaded.getFirst().userMetadata()).containsEntry("author", "ada");
    }

    @Test
    void aPartsMd5AndTheUploadsTagsSurviveARestart() throws Exception {
        start(0);
        var upload = UploadManifest.initiate("media", "videos/b.mp4", "video/mp4", Map.of(), false, Instant.now(),
            Map.of("project", "kelp"), null);
        store.create(upload);
        String md5 = "5d41402abc4b2a76b9719d911017c592"; // md5("hello")
        UploadManifest withPart;
        try (StagedBlob staged = staging.stage(new ByteArrayInputStream("hello".getBytes(StandardCharsets.UTF_8)), Long.MAX_VALUE)) {
            withPart = store.addPart(upload, staged, new PartInfo(1, staged.size(), staged.hash().hex(), md5));
        }

        start(0);
        var loaded = store.loadAll().getFirst();
        assertThat(loaded).isEqualTo(withPart);
        assertThat(loaded.part(1).orElseThrow().md5()).isEqualTo(md5);
        assertThat(loaded.tags()).containsExactly(Map.entry("project", "kelp"));
        assertThatThrownBy(() -> new PartInfo(1, 5, withPart.part(1).orElseThrow().sha256(), "NOT-AN-MD5"))
            .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aReplacedPartIsDeletedOnceTheNewOneIsRecorded() throws Exception {
        start(0);
        var first = add(newUpload(), 1, "old bytes");
        var second = add(first, 1, "new");
        assertThat(filesOf(second)).containsExactly(second.part(1).orElseThrow().fileName(), "manifest.json");
        assertThat(volume.partBytes()).isEqualTo(3);

        // The same bytes again: nothing changes, and the staged copy's room is given back.
        var third = add(second, 1, "new");
        assertThat(third).isEqualTo(second);
        assertThat(volume.partBytes()).isEqualTo(3);
        assertThat(volume.stagingBytes()).isZero();
    }

    @Test
    void loadRemovesLeftoversOfWritesCutShortAndDropsPartsWhoseFileIsDamaged() throws Exception {
        start(0);
        var upload = add(add(newUpload(), 1, "one"), 2, "two");
        Path uploadDir = dir.resolve("uploads").resolve(upload.uploadId());
        // A part written but never recorded, a temp manifest, and part 2 truncated on disk.
        Files.writeString(uploadDir.resolve("00003-" + "a".repeat(64) + ".part"), "orphan");
        Files.writeString(uploadDir.resolve("manifest.json.tmp"), "{");
        Files.writeString(store.fileOf(upload, upload.part(2).orElseThrow()), "t");
        // An initiate (or abort) cut short: a directory without manifest.
        Path noManifest = Files.createDirectories(dir.resolve("uploads").resolve("mpu_" + "b".repeat(32)));
        Files.writeString(noManifest.resolve("00001-" + "c".repeat(64) + ".part"), "x");

        start(0);
        var loaded = store.loadAll();
        assertThat(loaded).hasSize(1);
        assertThat(loaded.getFirst().parts()).extracting(PartInfo::partNumber).containsExactly(1);
        assertThat(filesOf(loaded.getFirst())).containsExactly(upload.part(1).orElseThrow().fileName(), "manifest.json");
        assertThat(noManifest).doesNotExist();
        assertThat(volume.partBytes()).isEqualTo(3);

        // The manifest was rewritten: the next start agrees.
        start(0);
        assertThat(store.loadAll()).isEqualTo(loaded);
    }

    @Test
    void anUnreadableManifestIsSetAsideNotDeleted() throws Exception {
        start(0);
        var upload = add(newUpload(), 1, "keep me");
        Path uploadDir = dir.resolve("uploads").resolve(upload.uploadId());
        Files.writeString(uploadDir.resolve("manifest.json"), "{not json");

        start(0);
        assertThat(store.loadAll()).isEmpty();
        assertThat(uploadDir).doesNotExist();
        assertThat(uploadDir.resolveSibling(upload.uploadId() + ".corrupt").resolve(upload.part(1).orElseThrow().fileName())).exists();
    }

    @Test
    void deleteRemovesEverythingAndGivesTheRoomBack() throws Exception {
        start(0);
        var upload = add(add(newUpload(), 1, "one"), 2, "two");
        store.delete(upload);
        assertThat(dir.resolve("uploads").resolve(upload.uploadId())).doesNotExist();
        assertThat(volume.partBytes()).isZero();
        start(0);
        assertThat(store.loadAll()).isEmpty();
    }

    @Test
    void partsCountTowardsTheVolumeLimit() throws Exception {
        start(10);
        var upload = add(newUpload(), 1, "123456");
        // 6 bytes of parts held: a 5-byte part would take the volume to 11.
        var full = upload;
        assertThatThrownBy(() -> add(full, 2, "12345")).isInstanceOf(InsufficientStorageException.class);
        assertThat(volume.partBytes()).isEqualTo(6);
        assertThat(volume.stagingBytes()).isZero();
        assertThat(add(upload, 2, "1234").parts()).hasSize(2);
    }
}
