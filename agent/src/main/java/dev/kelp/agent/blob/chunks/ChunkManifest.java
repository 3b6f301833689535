package dev.kelp.agent.blob.chunks;

import dev.kelp.agent.object.ContentHash;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What a chunked blob is made of: its chunks in order, each by SHA-256 and length. Kept beside
 * the chunks as a small text file, a line per chunk after a header that names the blob and its
 * size, so that a person can read it and a manifest can never be taken for another blob's.
 */
public record ChunkManifest(ContentHash blob, long size, List<Entry> chunks) {

    private static final String HEADER = "kelp-chunked-blob 1";

    public record Entry(ContentHash hash, int length) {
    }

    public ChunkManifest {
        chunks = List.copyOf(chunks);
        long total = 0;
        for (Entry e : chunks) {
            if (e.length() <= 0) {
                throw new IllegalArgumentException("a chunk of blob " + blob + " is empty");
            }
            total += e.length();
        }
        if (total != size) {
            throw new IllegalArgumentException("the chunks of blob " + blob + " hold " + total + " bytes, not " + size);
        }
    }

    public byte[] encode() {
        var text = new StringBuilder(HEADER).append('\n').append(blob.hex()).append(' ').append(size).append('\n');
        for (Entry e : chunks) {
            text.append(e.hash().hex()).append(' ').append(e.length()).append('\n');
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Parses a manifest, which must be the one of {@code blob}; throws IllegalArgumentException otherwise. */
    public static ChunkManifest decode(byte[] bytes, ContentHash blob) {
        String[] lines = new String(bytes, StandardCharsets.US_ASCII).split("\n");
        if (lines.length < 2 || !lines[0].equals(HEADER)) {
            throw new IllegalArgumentException("not a chunk manifest of blob " + blob);
        }
        String[] head = fields(lines, 1, blob);
        if (!head[0].equals(blob.hex())) {
            throw new IllegalArgumentException("the chunk manifest stored for blob " + blob + " names another blob");
        }
        long size;
        try {
            size = Long.parseLong(head[1]);
        } catch (NumberFormatException e) {
            throw malformed(1, blob, e);
        }
        List<Entry> entries = new ArrayList<>(lines.length - 2);
        for (int i = 2; i < lines.length; i++) {
            String[] parts = fields(lines, i, blob);
            try {
                entries.add(new Entry(new ContentHash(parts[0]), Integer.parseInt(parts[1])));
            } catch (IllegalArgumentException e) {
                // A hash that is not lower-case hex, a length that is not a number or not an int.
                throw malformed(i, blob, e);
            }
        }
        return new ChunkManifest(blob, size, entries);
    }

    private static String[] fields(String[] lines, int i, ContentHash blob) {
        String[] parts = lines[i].split(" ");
        if (parts.length != 2) {
            throw malformed(i, blob, null);
        }
        return parts;
    }

    private static IllegalArgumentException malformed(int i, ContentHash blob, IllegalArgumentException cause) {
        return new IllegalArgumentException("line " + (i + 1) + " of the chunk manifest of blob " + blob + " is malformed"
            + (cause == null ? "" : ": " + cause.getMessage()), cause);
    }
}
