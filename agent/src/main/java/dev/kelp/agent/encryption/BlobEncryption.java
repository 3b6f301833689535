package dev.kelp.agent.encryption;

import dev.kelp.agent.object.ContentHash;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Envelope encryption of blobs (docs/encryption.md), for both blob stores: each blob gets a
 * random data key that encrypts its content ({@link SegmentFormat}) and is itself wrapped by
 * the active key-encryption key of the {@link KeyRing}. The stores decide where the bytes go;
 * this class decides what they are. The content hash, and so the ETag and dedup, stay those
 * of the plaintext.
 */
@Singleton
public class BlobEncryption {

    /** Appended to a blob's name when it is stored encrypted, on both stores. */
    public static final String ENCRYPTED_SUFFIX = ".enc";
    /** Bytes of the header an encrypted blob starts with. */
    public static final int HEADER_BYTES = BlobHeader.BYTES;

    private static final Logger LOG = LoggerFactory.getLogger(BlobEncryption.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final boolean enabled;
    private final AtomicReference<Optional<KeyRing>> ring;
    private final List<Runnable> staleListeners = new CopyOnWriteArrayList<>();

    @Inject
    public BlobEncryption(EncryptionConfig config) {
        this.enabled = config.enabled();
        this.ring = new AtomicReference<>(KeySources.load(config));
        ring.get().ifPresent(r -> LOG.info("Encryption at rest {}: {}", enabled ? "on" : "off for new blobs (existing ones decrypt)", r));
    }

    /** No encryption and no key: blobs are stored and read exactly as before encryption existed. */
    public static BlobEncryption disabled() {
        return new BlobEncryption(EncryptionConfig.off());
    }

    /** New blobs are encrypted. */
    public boolean encryptsWrites() {
        return enabled;
    }

    /** A key ring is configured, so encrypted blobs can be read (and are looked for first). */
    public boolean readsEncrypted() {
        return ring.get().isPresent();
    }

    public Optional<KeyRing> ring() {
        return ring.get();
    }

    /** Swaps in a re-read ring; blobs sealed from now on use its active key. */
    void replaceRing(KeyRing next) {
        ring.set(Optional.of(next));
        staleListeners.forEach(Runnable::run);
    }

    /** Called when blobs may be under a key that is no longer the active one (a rotation, a late write). */
    public void onStaleKeys(Runnable listener) {
        staleListeners.add(listener);
    }

    /** A fresh data key and header for a blob of {@code plaintextSize} bytes, wrapped by the active key. */
    public Sealing seal(String bucket, ContentHash hash, long plaintextSize) {
        Kek active = requireRing(bucket, hash).active();
        byte[] dataKey = random(KeyWrap.DATA_KEY_BYTES);
        var unwrapped = new BlobHeader(SegmentFormat.SEGMENT_BYTES, plaintextSize, random(BlobHeader.BLOB_ID_BYTES),
            random(SegmentFormat.NONCE_PREFIX_BYTES), active.id(), new byte[KeyWrap.WRAPPED_BYTES]);
        byte[] wrapped = KeyWrap.wrap(active, dataKey, unwrapped.fields(), bucket, hash);
        var header = new BlobHeader(unwrapped.segmentBytes(), plaintextSize, unwrapped.blobId(), unwrapped.noncePrefix(),
            active.id(), wrapped);
        return new Sealing(header, new SecretKeySpec(dataKey, "AES"));
    }

    /**
     * Tells the re-wrapper about a blob just made visible, should its key have stopped being
     * the active one while it was written (a rotation in the middle of a write).
     */
    public void sealed(Sealing sealing) {
        var now = ring.get();
        if (now.isPresent() && !Arrays.equals(now.get().active().id(), sealing.kekId())) {
            staleListeners.forEach(Runnable::run);
        }
    }

    /**
     * The plaintext of {@code length} bytes from {@code offset} ({@code length < 0}: to the end)
     * of an encrypted blob. The header is read and the data key unwrapped before this returns,
     * so a missing key or a damaged header is an exception here, not a broken response.
     *
     * @throws EncryptionKeyUnavailableException no key of the ring unwraps it
     * @throws BlobIntegrityException            the header, key record or first segment is damaged
     */
    public InputStream open(String bucket, ContentHash hash, EncryptedSource source, long offset, long length) throws IOException {
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative: " + offset);
        }
        KeyRing keys = requireRing(bucket, hash);
        if (offset == 0 && length != 0) {
            // The header comes first in the same read as the content: one request to SeaweedFS.
            InputStream in = source.open(0, length < 0 ? -1 : SegmentFormat.offsetOfSegment(segmentsCovering(0, length)));
            BlobHeader header = readHeader(in, bucket, hash);
            return decrypting(keys, header, source, in, bucket, hash, offset, length);
        }
        BlobHeader header;
        try (InputStream h = source.open(0, BlobHeader.BYTES)) {
            header = readHeader(h, bucket, hash);
        }
        if (offset > header.plaintextSize()) {
            throw new IllegalArgumentException("offset %d is past the end of blob %s (%d bytes)".formatted(offset, hash, header.plaintextSize()));
        }
        if (length == 0 || offset == header.plaintextSize()) {
            dataKey(keys, header, source, bucket, hash);
            return InputStream.nullInputStream();
        }
        long first = offset / SegmentFormat.SEGMENT_BYTES;
        long stored = length < 0 ? -1
            : SegmentFormat.offsetOfSegment(first + segmentsCovering(offset, length)) - SegmentFormat.offsetOfSegment(first);
        InputStream in = source.open(SegmentFormat.offsetOfSegment(first), stored);
        return decrypting(keys, header, source, in, bucket, hash, offset, length);
    }

    private InputStream decrypting(KeyRing keys, BlobHeader header, EncryptedSource source, InputStream in, String bucket,
                                   ContentHash hash, long offset, long length) throws IOException {
        try {
            SecretKey dataKey = dataKey(keys, header, source, bucket, hash);
            return DecryptingStream.open(in, header, dataKey, bucket, hash, offset, length);
        } catch (RuntimeException e) {
            in.close();
            throw e;
        }
    }

    /** Segments that hold bytes {@code [offset, offset + length)}, counted from offset's segment. */
    private static long segmentsCovering(long offset, long length) {
        if (length == 0) {
            return 0;
        }
        long first = offset / SegmentFormat.SEGMENT_BYTES;
        long last = (offset + length - 1) / SegmentFormat.SEGMENT_BYTES;
        return last - first + 1;
    }

    /**
     * Re-wraps the data key of the blob whose header is {@code headerBytes} under the active
     * key, when it is under another one the ring holds. Only the key record changes; the
     * content never does.
     */
    public Rewrap rewrap(String bucket, ContentHash hash, byte[] headerBytes, Optional<byte[]> overrideBytes) {
        KeyRing keys = requireRing(bucket, hash);
        BlobHeader header = BlobHeader.decode(headerBytes, bucket, hash);
        Optional<KeyOverride> override = overrideBytes.map(b -> KeyOverride.decode(b, bucket, hash)).filter(o -> o.belongsTo(header));
        byte[] kekId = override.map(KeyOverride::kekId).orElse(header.kekId());
        Kek active = keys.active();
        if (Arrays.equals(kekId, active.id())) {
            return new Rewrap(Rewrap.State.CURRENT, active.idHex(), Optional.empty());
        }
        Optional<Kek> kek = keys.find(kekId);
        if (kek.isEmpty()) {
            return new Rewrap(Rewrap.State.UNKNOWN_KEY, Kek.hex(kekId), Optional.empty());
        }
        byte[] wrapped = override.map(KeyOverride::wrappedKey).orElse(header.wrappedKey());
        byte[] dataKey = KeyWrap.unwrap(kek.get(), wrapped, header.fields(), bucket, hash);
        byte[] rewrapped = KeyWrap.wrap(active, dataKey, header.fields(), bucket, hash);
        Arrays.fill(dataKey, (byte) 0);
        return new Rewrap(Rewrap.State.REWRAPPED, Kek.hex(kekId),
            Optional.of(new KeyOverride(header.blobId(), active.id(), rewrapped).encode()));
    }

    private SecretKey dataKey(KeyRing keys, BlobHeader header, EncryptedSource source, String bucket, ContentHash hash) {
        Optional<Kek> inline = keys.find(header.kekId());
        if (inline.isPresent()) {
            return new SecretKeySpec(KeyWrap.unwrap(inline.get(), header.wrappedKey(), header.fields(), bucket, hash), "AES");
        }
        Optional<KeyOverride> override = source.override().map(b -> KeyOverride.decode(b, bucket, hash)).filter(o -> o.belongsTo(header));
        if (override.isPresent()) {
            Optional<Kek> kek = keys.find(override.get().kekId());
            if (kek.isPresent()) {
                return new SecretKeySpec(KeyWrap.unwrap(kek.get(), override.get().wrappedKey(), header.fields(), bucket, hash), "AES");
            }
        }
        String under = override.map(o -> Kek.hex(o.kekId())).orElse(Kek.hex(header.kekId()));
        throw new EncryptionKeyUnavailableException(bucket, hash, "its data key is wrapped by key " + under
            + ", which this agent does not hold (it holds " + keys.ids() + ")");
    }

    private static BlobHeader readHeader(InputStream in, String bucket, ContentHash hash) throws IOException {
        byte[] bytes;
        try {
            bytes = in.readNBytes(BlobHeader.BYTES);
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
        try {
            return BlobHeader.decode(bytes, bucket, hash);
        } catch (RuntimeException e) {
            in.close();
            throw e;
        }
    }

    private KeyRing requireRing(String bucket, ContentHash hash) {
        return ring.get().orElseThrow(() -> new EncryptionKeyUnavailableException(bucket, hash,
            "it is encrypted and no encryption key is configured (kelp.encryption.key-dir or kelp.encryption.key)"));
    }

    private static byte[] random(int bytes) {
        byte[] out = new byte[bytes];
        RANDOM.nextBytes(out);
        return out;
    }
}
