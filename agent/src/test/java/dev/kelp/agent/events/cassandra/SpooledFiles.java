package dev.kelp.agent.events.cassandra;

import dev.kelp.agent.events.AgentEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Reads a spool's segment files from the outside, without touching the spool a sink owns. */
final class SpooledFiles {

    private SpooledFiles() {
    }

    static List<AgentEvent> events(Path spoolDir) throws IOException {
        List<AgentEvent> events = new ArrayList<>();
        try (Stream<Path> files = Files.list(spoolDir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith(EventSpool.PREFIX)).sorted().toList()) {
                for (String line : Files.readAllLines(f)) {
                    events.add(EventLines.decode(line));
                }
            }
        }
        return events;
    }
}
