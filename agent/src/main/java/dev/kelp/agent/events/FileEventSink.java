package dev.kelp.agent.events;

import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.micronaut.json.JsonMapper;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.UUID;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded default's event sink: JSON lines in {@code <fallback dir>/events/events-<day>.jsonl},
 * written by one background thread so {@link #emit} never waits on the disk.
 */
@Singleton
@Requires(missingProperty = "kelp.events.cassandra.contact-points")
public class FileEventSink implements EventSink, EventReader {

    private static final Logger LOG = LoggerFactory.getLogger(FileEventSink.class);

    private final Path dir;
    private final JsonMapper json;
    private final BlockingQueue<AgentEvent> queue = new ArrayBlockingQueue<>(10_000);
    private final AtomicLong dropped = new AtomicLong();
    private final Thread writer;
    private volatile boolean running = true;

    public FileEventSink(@Value("${kelp.fallback.dir:kelp-data}") Path fallbackDir, JsonMapper json) {
        this.dir = fallbackDir.toAbsolutePath().resolve("events");
        this.json = json;
        this.writer = Thread.ofPlatform().name("kelp-events-file").daemon().start(this::writeLoop);
    }

    @Override
    public void emit(AgentEvent event) {
        if (!queue.offer(event) && dropped.incrementAndGet() % 1000 == 1) {
            LOG.warn("event queue full: {} events dropped so far (the events file cannot keep up)", dropped.get());
        }
    }

    @PreDestroy
    void close() throws InterruptedException {
        running = false;
        writer.join(TimeUnit.SECONDS.toMillis(5));
    }

    private void writeLoop() {
        LocalDate day = null;
        BufferedWriter out = null;
        try {
            Files.createDirectories(dir);
            while (running || !queue.isEmpty()) {
                AgentEvent event = queue.poll(200, TimeUnit.MILLISECONDS);
                if (event == null) {
                    if (out != null) {
                        out.flush();
                    }
                    continue;
                }
                LocalDate eventDay = LocalDate.ofInstant(event.at(), ZoneOffset.UTC);
                if (!eventDay.equals(day)) {
                    if (out != null) {
                        out.close();
                    }
                    day = eventDay;
                    out = Files.newBufferedWriter(dir.resolve("events-" + day + ".jsonl"), StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                }
                out.write(json.writeValueAsString(asMap(event)));
                out.newLine();
            }
        } catch (IOException e) {
            LOG.error("cannot write events under {}; further events are dropped", dir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (out != null) {
                try {
                    out.close();
                } catch (IOException ignored) {
                    // closing after a write failure: nothing more to save
                }
            }
        }
    }

    /**
     * Reads the day files of the window, newest day first, each from its end: a file is appended
     * in time order, so the first {@code limit} matches from the end are the newest.
     */
    @Override
    public List<AgentEvent> read(AuditQuery query) {
        List<AgentEvent> found = new ArrayList<>();
        LocalDate first = LocalDate.ofInstant(query.from(), ZoneOffset.UTC);
        for (LocalDate day = LocalDate.ofInstant(query.to(), ZoneOffset.UTC); !day.isBefore(first) && found.size() < query.limit();
             day = day.minusDays(1)) {
            Path file = dir.resolve("events-" + day + ".jsonl");
            if (!Files.exists(file)) {
                continue;
            }
            List<String> lines;
            try {
                lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new EventStoreUnavailableException("cannot read " + file + ": " + e.getMessage(), e);
            }
            for (int i = lines.size() - 1; i >= 0 && found.size() < query.limit(); i--) {
                AgentEvent event = parse(lines.get(i));
                if (event != null && !event.at().isBefore(query.from()) && event.at().isBefore(query.to()) && query.matches(event)) {
                    found.add(event);
                }
            }
        }
        return List.copyOf(found);
    }

    /** One line, or null for one cut short by a crash mid-write. */
    private AgentEvent parse(String line) {
        if (line.isBlank()) {
            return null;
        }
        try {
            Map<String, Object> m = json.readValue(line, io.micronaut.core.type.Argument.mapOf(String.class, Object.class));
            Map<String, String> detail = new LinkedHashMap<>();
            if (m.get("detail") instanceof Map<?, ?> d) {
                d.forEach((k, v) -> detail.put(String.valueOf(k), String.valueOf(v)));
            }
            return new AgentEvent(UUID.fromString((String) m.get("id")), Instant.parse((String) m.get("at")),
                AgentEvent.Type.valueOf((String) m.get("type")), (String) m.get("bucket"), (String) m.get("key"), detail);
        } catch (IOException | RuntimeException torn) {
            return null;
        }
    }

    private static Map<String, Object> asMap(AgentEvent e) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", e.id().toString());
        m.put("at", e.at().toString());
        m.put("type", e.type().name());
        if (e.bucket() != null) {
            m.put("bucket", e.bucket());
        }
        if (e.key() != null) {
            m.put("key", e.key());
        }
        if (!e.detail().isEmpty()) {
            m.put("detail", e.detail());
        }
        return m;
    }
}
