package dev.kelp.agent.events.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.agent.events.AgentEvent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The spool on its own, on a real directory: rolling, bounding, replay order, bad lines. */
class EventSpoolTest {

    @TempDir
    Path dir;

    final AtomicLong dropped = new AtomicLong();

    static AgentEvent event(int n) {
        return new AgentEvent(UUID.randomUUID(), Instant.parse("2026-12-01T08:00:00Z").plusMillis(n), AgentEvent.Type.SAVE,
            "cards", "objects/%05d".formatted(n), Map.of("size", Integer.toString(n), "note", "line\nbreak \"quoted\""));
    }

    static List<AgentEvent> events(int from, int to) {
        return IntStream.range(from, to).mapToObj(EventSpoolTest::event).toList();
    }

    /** Replays the way the sink does: oldest segment first, deleted once read. */
    static List<AgentEvent> drain(EventSpool spool) throws Exception {
        List<AgentEvent> out = new ArrayList<>();
        for (var s = spool.oldest(); s.isPresent(); s = spool.oldest()) {
            out.addAll(spool.read(s.get()));
            spool.delete(s.get());
        }
        return out;
    }

    long filesOnDisk() throws Exception {
        try (Stream<Path> f = Files.list(dir)) {
            return f.filter(p -> p.getFileName().toString().startsWith(EventSpool.PREFIX)).count();
        }
    }

    @Test
    void replaysEveryEventExactlyAsSpooledOldestFirstAcrossRolledSegments() throws Exception {
        var spool = new EventSpool(dir, 10_000_000, 4096, dropped::addAndGet);
        List<AgentEvent> all = events(0, 300);
        for (int i = 0; i < all.size(); i += 7) {
            spool.append(all.subList(i, Math.min(all.size(), i + 7)));
        }

        assertThat(spool.segments()).as("4 KiB segments roll").isGreaterThan(5);
        assertThat(filesOnDisk()).isEqualTo(spool.segments());
        assertThat(spool.bytes()).isEqualTo(sizeOnDisk());

        assertThat(drain(spool)).containsExactlyElementsOf(all);
        assertThat(spool.isEmpty()).isTrue();
        assertThat(spool.bytes()).isZero();
        assertThat(filesOnDisk()).isZero();
        assertThat(dropped).hasValue(0);
    }

    @Test
    void aRestartedSpoolFindsItsSegmentsAndAppendsAfterThem() throws Exception {
        List<AgentEvent> all = events(0, 80);
        var first = new EventSpool(dir, 10_000_000, 4096, dropped::addAndGet);
        first.append(all.subList(0, 50));
        // No close: a kill -9 leaves the open segment as it is, every append already fsync'd.
        var second = new EventSpool(dir, 10_000_000, 4096, dropped::addAndGet);
        assertThat(second.bytes()).isEqualTo(first.bytes());
        second.append(all.subList(50, 80));

        assertThat(drain(second)).containsExactlyElementsOf(all)
            .extracting(AgentEvent::key).startsWith("objects/00000").endsWith("objects/00079");
    }

    @Test
    void aFullSpoolDropsItsOldestSegmentsAndCountsTheirEvents() throws Exception {
        long max = 16 * 1024;
        var spool = new EventSpool(dir, max, 4096, dropped::addAndGet);
        List<AgentEvent> all = events(0, 1000);
        for (int i = 0; i < all.size(); i += 10) {
            spool.append(all.subList(i, i + 10));
            assertThat(spool.bytes()).as("bounded after every append").isLessThanOrEqualTo(max);
        }

        List<AgentEvent> left = drain(spool);
        assertThat(left).isNotEmpty();
        assertThat(left.size() + dropped.get()).as("each event either kept or counted as dropped").isEqualTo(all.size());
        assertThat(left).as("the newest are kept, in order").containsExactlyElementsOf(all.subList(all.size() - left.size(), all.size()));
    }

    @Test
    void aTornOrCorruptLineIsSetAsideAndTheRestReplays() throws Exception {
        var spool = new EventSpool(dir, 10_000_000, 1 << 20, dropped::addAndGet);
        List<AgentEvent> good = events(0, 3);
        spool.append(good);
        spool.close();
        Path segment = spool.oldest().orElseThrow().file();
        // What a crash mid-write or a hand edit leaves: a garbage line, then half an event.
        String half = EventLines.encode(event(3));
        Files.writeString(segment, "not json at all\n" + half.substring(0, half.length() / 2), StandardCharsets.UTF_8, StandardOpenOption.APPEND);

        var reopened = new EventSpool(dir, 10_000_000, 1 << 20, dropped::addAndGet);
        var s = reopened.oldest().orElseThrow();
        assertThat(reopened.read(s)).containsExactlyElementsOf(good);
        reopened.delete(s);

        assertThat(reopened.corruptLines()).isEqualTo(2);
        Path setAside = dir.resolve("corrupt").resolve(segment.getFileName());
        assertThat(Files.readAllLines(setAside)).containsExactly("not json at all", half.substring(0, half.length() / 2));
        assertThat(reopened.isEmpty()).isTrue();
    }

    @Test
    void aLineKeepsEverythingThatMakesTheReplayIdempotent() {
        var e = new AgentEvent(UUID.randomUUID(), Instant.parse("2026-12-01T08:00:00.123456789Z"), AgentEvent.Type.MODE_TRANSITION,
            null, null, Map.of("from", "FULL", "to", "FALLBACK"));
        String line = EventLines.encode(e);
        assertThat(line).doesNotContain("\n");
        assertThat(EventLines.decode(line)).isEqualTo(e);
    }

    private long sizeOnDisk() throws Exception {
        try (Stream<Path> f = Files.list(dir)) {
            return f.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
