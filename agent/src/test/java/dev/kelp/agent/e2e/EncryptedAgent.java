package dev.kelp.agent.e2e;

import dev.kelp.agent.encryption.Kek;
import dev.kelp.agent.encryption.KeyRewrapper;
import dev.kelp.agent.mode.Mode;
import dev.kelp.agent.mode.ModeMonitor;
import dev.kelp.agent.sync.SyncDrainer;
import dev.kelp.agent.sync.SyncQueue;
import dev.kelp.testkit.ProvingGround;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * An agent in this JVM on the proving ground's real SeaweedFS (behind a {@link TcpGate}) and
 * PostgreSQL, with encryption at rest on and its keys in a directory laid out the way kubelet
 * mounts a Secret (or, given no key directory, off: as before encryption existed). Also what a test needs to look behind the agent: a plain S3 client and the
 * key ids in the stored headers.
 */
final class EncryptedAgent implements AutoCloseable {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final EmbeddedServer server;
    final Path fallback;
    final String bucket;

    EncryptedAgent(Path fallback, String bucket, TcpGate gate, Path keyDir, Map<String, Object> extra) {
        this.fallback = fallback;
        this.bucket = bucket;
        Map<String, Object> props = new HashMap<>(Map.of(
            "micronaut.server.port", -1,
            "kelp.fallback.dir", fallback.toString(),
            "kelp.storage.buckets", List.of(bucket),
            "kelp.seaweedfs.endpoint", "http://127.0.0.1:" + gate.port(),
            "kelp.seaweedfs.region", ProvingGround.require("KELP_S3_REGION"),
            "kelp.seaweedfs.access-key", ProvingGround.require("KELP_S3_ACCESS_KEY"),
            "kelp.seaweedfs.secret-key", ProvingGround.require("KELP_S3_SECRET_KEY"),
            "kelp.metadata.url", ProvingGround.require("KELP_PG_URL"),
            "kelp.metadata.username", ProvingGround.require("KELP_PG_USER"),
            "kelp.metadata.password", ProvingGround.require("KELP_PG_PASSWORD")));
        if (keyDir != null) {
            props.put("kelp.encryption.enabled", true);
            props.put("kelp.encryption.key-dir", keyDir.toString());
            props.put("kelp.encryption.reload-interval", "200ms");
            props.put("kelp.encryption.rewrap-interval", "1s");
        }
        props.putAll(extra);
        this.server = ApplicationContext.run(EmbeddedServer.class, props);
    }

    URI uri(String key) {
        return URI.create("http://127.0.0.1:" + server.getPort() + "/v1/objects/" + bucket + "/" + key);
    }

    HttpResponse<String> put(String key, byte[] body) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri(key)).header("Content-Type", "application/octet-stream")
            .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<byte[]> get(String key, String... headers) throws IOException, InterruptedException {
        var b = HttpRequest.newBuilder(uri(key)).GET();
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    Mode mode() {
        return server.getApplicationContext().getBean(ModeMonitor.class).current().mode();
    }

    void awaitMode(Mode mode) {
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> mode() == mode);
    }

    /** Waits until SeaweedFS holds everything the fallback volume queued. */
    void awaitDrained() {
        var queue = server.getApplicationContext().getBean(SyncQueue.class);
        var drainer = server.getApplicationContext().getBean(SyncDrainer.class);
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
            drainer.requestDrain();
            return queue.pending().objects() == 0;
        });
    }

    KeyRewrapper rewrapper() {
        return server.getApplicationContext().getBean(KeyRewrapper.class);
    }

    @Override
    public void close() {
        server.close();
    }

    // --- keys ---

    static byte[] newKey(long seed) {
        byte[] k = new byte[32];
        new Random(seed).nextBytes(k);
        return k;
    }

    static String idOf(byte[] key) {
        return new Kek(key).idHex();
    }

    /**
     * Writes the Secret's entries into {@code dir} as kubelet does: a fresh timestamped
     * directory, then {@code ..data} swapped to it atomically; {@code key} and
     * {@code previous-keys} are symlinks through {@code ..data}.
     */
    static void mountSecret(Path dir, byte[] active, byte[]... previous) throws IOException {
        Files.createDirectories(dir);
        Path version = Files.createTempDirectory(dir, "..version-");
        Files.writeString(version.resolve("key"), Base64.getEncoder().encodeToString(active));
        Files.writeString(version.resolve("previous-keys"), Arrays.stream(previous)
            .map(k -> Base64.getEncoder().encodeToString(k)).collect(Collectors.joining("\n", "", "\n")));
        Path tmp = dir.resolve("..data_tmp");
        Files.deleteIfExists(tmp);
        Files.createSymbolicLink(tmp, version.getFileName());
        Files.move(tmp, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        for (String entry : List.of("key", "previous-keys")) {
            if (!Files.exists(dir.resolve(entry), LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(dir.resolve(entry), Path.of("..data", entry));
            }
        }
    }

    // --- behind the agent's back ---

    static S3Client plainS3() {
        return S3Client.builder()
            .endpointOverride(URI.create(ProvingGround.require("KELP_S3_ENDPOINT")))
            .region(Region.of(ProvingGround.require("KELP_S3_REGION")))
            .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                ProvingGround.require("KELP_S3_ACCESS_KEY"), ProvingGround.require("KELP_S3_SECRET_KEY"))))
            .forcePathStyle(true)
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
            .httpClient(UrlConnectionHttpClient.create())
            .build();
    }

    /** Every object key under {@code prefix} in the bucket, with its bytes. */
    static Map<String, byte[]> objects(S3Client s3, String bucket, String prefix) {
        Map<String, byte[]> out = new java.util.TreeMap<>();
        s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents()
            .forEach(o -> out.put(o.key(), s3.getObjectAsBytes(g -> g.bucket(bucket).key(o.key())).asByteArray()));
        return out;
    }

    /**
     * The id of the key that unwraps an encrypted blob (or chunk) as stored on SeaweedFS: its key record's
     * when it has one for this very blob (same blob id), else the one in its header.
     */
    static String effectiveKeyId(S3Client s3, String bucket, String encryptedKey) {
        byte[] header = s3.getObjectAsBytes(g -> g.bucket(bucket).key(encryptedKey).range("bytes=0-110")).asByteArray();
        // blobs/<h>.enc has its record at blob-keys/<h>, a chunk's chunks/<h>.enc at chunk-keys/<h>.
        String prefix = encryptedKey.substring(0, encryptedKey.indexOf('/'));
        String overrideKey = prefix.substring(0, prefix.length() - 1) + "-keys/"
            + encryptedKey.substring(prefix.length() + 1, encryptedKey.length() - ".enc".length());
        Optional<byte[]> override;
        try {
            override = Optional.of(s3.getObjectAsBytes(g -> g.bucket(bucket).key(overrideKey)).asByteArray());
        } catch (NoSuchKeyException e) {
            override = Optional.empty();
        }
        byte[] blobId = Arrays.copyOfRange(header, 20, 36);
        if (override.isPresent() && Arrays.equals(Arrays.copyOfRange(override.get(), 8, 24), blobId)) {
            return hex(Arrays.copyOfRange(override.get(), 24, 32));
        }
        return hex(Arrays.copyOfRange(header, 43, 51));
    }

    static String hex(byte[] b) {
        return java.util.HexFormat.of().formatHex(b);
    }

    static int indexOf(byte[] haystack, byte[] needle) {
        ByteBuffer h = ByteBuffer.wrap(haystack);
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (h.get(i + j) != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
