package dev.kelp.bench.dedup;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Set;

/**
 * What block-level dedup would store for a set of distinct blobs: each blob cut by a
 * {@link ContentDefinedChunker}, each distinct chunk (by SHA-256) counted once. An analysis of
 * the data, not anything the agent does.
 *
 * @param blobs distinct blobs analysed
 * @param blobBytes their bytes: what whole-object dedup stores
 * @param chunks chunks cut, over all blobs
 * @param distinctChunks distinct chunks among them: the rows a chunk index would hold
 * @param chunkBytes bytes of the distinct chunks: what block-level dedup would store
 */
record ChunkAnalysis(int average, long blobs, long blobBytes, long chunks, long distinctChunks, long chunkBytes) {

    static ChunkAnalysis of(Collection<byte[]> distinctBlobs, ContentDefinedChunker chunker) {
        Set<String> seen = new HashSet<>();
        long blobBytes = 0;
        long chunks = 0;
        long chunkBytes = 0;
        MessageDigest sha = sha256();
        for (byte[] blob : distinctBlobs) {
            blobBytes += blob.length;
            int offset = 0;
            for (int length : chunker.chunkLengths(blob)) {
                sha.update(blob, offset, length);
                chunks++;
                if (seen.add(HexFormat.of().formatHex(sha.digest()))) {
                    chunkBytes += length;
                }
                offset += length;
            }
        }
        return new ChunkAnalysis(chunker.averageSize(), distinctBlobs.size(), blobBytes, chunks, seen.size(), chunkBytes);
    }

    /** Bytes block-level dedup would save beyond whole-object dedup. */
    long additionalSavings() {
        return blobBytes - chunkBytes;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
