package dev.kelp.agent.events.cassandra;

import dev.kelp.agent.events.AgentEvent;
import dev.kelp.agent.fallback.DurableFiles;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Events that could not be written to Cassandra yet, on the fallback volume: segment files
 * of JSON lines named by a growing sequence number, so replay goes oldest first. Each
 * {@link #append} is fsync'd before it returns. A segment is deleted only after all of its
 * events were written, so a crash mid-replay replays it again, which is harmless: an event
 * keeps its id and instant, and writing it again writes the same row.
 *
 * Bounded: when the segments take more than {@code maxBytes}, the oldest are deleted and
 * their events counted as dropped. Lines that do not parse (a line torn by a crash, an edited
 * file) are set aside under {@code corrupt/} rather than replayed or silently lost.
 *
 * Not thread-safe beyond the byte count: one writer thread owns it.
 */
public final class EventSpool implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(EventSpool.class);
    static final String PREFIX = "segment-";
    static final String SUFFIX = ".jsonl";

    /** A segment file, by its place in the replay order. */
    public record Segment(long sequence, Path file) {
    }

    private final Path dir;
    private final long maxBytes;
    private final long segmentBytes;
    private final LongConsumer onDropped;
    private final TreeMap<Long, Path> segments = new TreeMap<>();
    private volatile long bytes;
    private volatile int segmentCount;
    private long corruptLines;
    private long nextSequence;
    private FileChannel current;
    private long currentSequence = -1;
    private long currentBytes;

    /**
     * @param maxBytes     most bytes the segments may take together
     * @param segmentBytes a segment is closed (and becomes replayable on its own) past this size
     * @param onDropped    told how many events were dropped when old segments made room
     */
    public EventSpool(Path dir, long maxBytes, long segmentBytes, LongConsumer onDropped) throws IOException {
        this.dir = dir;
        this.maxBytes = maxBytes;
        // At least a few segments fit: dropping one must free a part of the spool, not all of it.
        this.segmentBytes = Math.max(1024, Math.min(segmentBytes, maxBytes / 4));
        this.onDropped = onDropped;
        DurableFiles.createDirectories(dir);
        long total = 0;
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                String name = f.getFileName().toString();
                if (name.startsWith(PREFIX) && name.endsWith(SUFFIX)) {
                    try {
                        long seq = Long.parseLong(name, PREFIX.length(), name.length() - SUFFIX.length(), 10);
                        segments.put(seq, f);
                        total += Files.size(f);
                    } catch (NumberFormatException e) {
                        LOG.warn("ignoring {} in the event spool: not a segment name", f);
                    }
                }
            }
        }
        this.bytes = total;
        this.segmentCount = segments.size();
        this.nextSequence = segments.isEmpty() ? 1 : segments.lastKey() + 1;
        if (!segments.isEmpty()) {
            LOG.info("event spool {} holds {} segments ({} bytes) from before: they replay once Cassandra answers", dir, segments.size(), total);
        }
    }

    public Path dir() {
        return dir;
    }

    public long bytes() {
        return bytes;
    }

    public int segments() {
        return segmentCount;
    }

    public boolean isEmpty() {
        return segmentCount == 0;
    }

    public long corruptLines() {
        return corruptLines;
    }

    /** Writes the events durably (fsync) to the open segment, rolling and trimming as needed. */
    public void append(List<AgentEvent> events) throws IOException {
        if (events.isEmpty()) {
            return;
        }
        StringBuilder lines = new StringBuilder(events.size() * 200);
        for (AgentEvent e : events) {
            lines.append(EventLines.encode(e)).append('\n');
        }
        byte[] data = lines.toString().getBytes(StandardCharsets.UTF_8);
        if (current == null) {
            open();
        }
        ByteBuffer buffer = ByteBuffer.wrap(data);
        while (buffer.hasRemaining()) {
            current.write(buffer);
        }
        current.force(false);
        currentBytes += data.length;
        bytes += data.length;
        if (currentBytes >= segmentBytes) {
            closeCurrent();
        }
        trim();
    }

    /**
     * The oldest segment, to replay. If only the open segment is left, it is closed first so
     * that nothing is appended to a segment while it is replayed.
     */
    public Optional<Segment> oldest() throws IOException {
        if (segments.isEmpty()) {
            return Optional.empty();
        }
        long seq = segments.firstKey();
        if (seq == currentSequence) {
            closeCurrent();
        }
        return Optional.of(new Segment(seq, segments.get(seq)));
    }

    /** The events of a closed segment, in the order they were spooled; bad lines go to {@code corrupt/}. */
    public List<AgentEvent> read(Segment segment) throws IOException {
        List<AgentEvent> events = new ArrayList<>();
        List<String> bad = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(segment.file(), StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    events.add(EventLines.decode(line));
                } catch (IllegalArgumentException e) {
                    bad.add(line);
                }
            }
        } catch (java.nio.charset.MalformedInputException e) {
            // Not text at all: set the whole file aside rather than replay part of it.
            setAside(segment, Files.readAllBytes(segment.file()));
            corruptLines++;
            return List.of();
        }
        if (!bad.isEmpty()) {
            setAside(segment, (String.join("\n", bad) + "\n").getBytes(StandardCharsets.UTF_8));
            corruptLines += bad.size();
            LOG.warn("{} lines of {} are not events; set aside under {} (the rest replays)", bad.size(), segment.file(), dir.resolve("corrupt"));
        }
        return events;
    }

    /** Removes a segment whose events are all written. */
    public void delete(Segment segment) throws IOException {
        remove(segment.sequence());
    }

    @Override
    public void close() throws IOException {
        if (current != null) {
            closeCurrent();
        }
    }

    private void open() throws IOException {
        currentSequence = nextSequence++;
        Path file = dir.resolve(PREFIX + "%020d".formatted(currentSequence) + SUFFIX);
        current = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        currentBytes = 0;
        segments.put(currentSequence, file);
        segmentCount = segments.size();
        // The name must survive a power cut as well as the lines in it.
        DurableFiles.forceDirectory(dir);
    }

    private void closeCurrent() throws IOException {
        try {
            current.force(true);
            current.close();
        } finally {
            current = null;
            currentSequence = -1;
        }
    }

    private void trim() throws IOException {
        while (bytes > maxBytes && segments.size() > 1) {
            long seq = segments.firstKey();
            Path file = segments.get(seq);
            long lines = countLines(file);
            remove(seq);
            LOG.warn("event spool over its limit of {} bytes: dropped its oldest segment {} ({} events)", maxBytes, file.getFileName(), lines);
            onDropped.accept(lines);
        }
    }

    private void remove(long seq) throws IOException {
        if (seq == currentSequence) {
            closeCurrent();
        }
        Path file = segments.remove(seq);
        if (file == null) {
            return;
        }
        long size = Files.size(file);
        Files.delete(file);
        DurableFiles.forceDirectory(dir);
        bytes -= size;
        segmentCount = segments.size();
    }

    private void setAside(Segment segment, byte[] content) throws IOException {
        Path corrupt = dir.resolve("corrupt");
        DurableFiles.createDirectories(corrupt);
        Files.write(corrupt.resolve(segment.file().getFileName()), content,
            StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static long countLines(Path file) throws IOException {
        try (Stream<String> lines = Files.lines(file, StandardCharsets.ISO_8859_1)) {
            return lines.filter(l -> !l.isBlank()).count();
        }
    }
}
