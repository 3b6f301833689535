package dev.kelp.bench.dedup;

import java.util.List;
import java.util.Map;

/**
 * A data set to write through the agent: objects in the order they are written, grouped in
 * rounds (one snapshot each), and their contents, each distinct body held once.
 *
 * @param name short name, used in bucket names and headings
 * @param description where the data comes from and why it looks like a real workload
 * @param rounds the objects of each round, written round after round
 * @param contents body of each content id the objects name
 */
record DataSet(String name, String description, List<List<Item>> rounds, Map<String, byte[]> contents) {

    /** One object: its key and the id of its body in {@link #contents}. */
    record Item(String key, String contentId) {
    }

    long objects() {
        return rounds.stream().mapToLong(List::size).sum();
    }

    long logicalBytes() {
        return rounds.stream().flatMap(List::stream).mapToLong(i -> contents.get(i.contentId()).length).sum();
    }
}
