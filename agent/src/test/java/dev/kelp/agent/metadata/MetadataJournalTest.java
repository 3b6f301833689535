package dev.kelp.agent.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kelp.agent.metadata.MetadataJournal.Pending;
import dev.kelp.agent.object.ContentHash;
import dev.kelp.agent.object.ObjectRecord;
import io.micronaut.json.JsonMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetadataJournalTest {

    private static final JsonMapper JSON = JsonMapper.createDefault();
    private static final Instant NOW = Instant.parse("2026-11-24T12:00:00.123456Z");

    @TempDir
    Path fallbackDir;

    MetadataJournal open() {
        return new MetadataJournal(fallbackDir, JSON);
    }

    static ObjectRecord record(String key, String content) {
        return new ObjectRecord("photos", key, 0, ContentHash.ofBytes(content.getBytes(StandardCharsets.UTF_8)),
            content.length(), "image/png", Map.of("camera", "x100"), NOW);
    }

    @Test
    void everyEntryIsAFileInTheJournalDirectoryNamedInWriteOrder() throws Exception {
        var journal = open();
        var first = journal.appendPut(record("a", "1"), NOW);
        var second = journal.appendDelete("photos", "b", NOW);

        assertThat(journal.directory()).isEqualTo(fallbackDir.resolve("metadata-journal"));
        try (Stream<Path> files = Files.list(journal.directory())) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted())
                .containsExactly(MetadataJournal.fileName(first), MetadataJournal.fileName(second));
        }
        assertThat(first.sequence()).isLessThan(second.sequence());
    }

    @Test
    void aRestartReadsTheEntriesBackInOrderWithEverythingTheyCarried() {
        var journal = open();
        var put = journal.appendPut(record("a", "1"), NOW);
        var delete = journal.appendDelete("photos", "a", NOW);
        var again = journal.appendPut(record("a", "22"), NOW);

        var reopened = open();

        assertThat(reopened.pending()).containsExactly(put, delete, again);
        assertThat(reopened.pending().getFirst().record()).isEqualTo(record("a", "1"));
        var next = reopened.appendDelete("photos", "z", NOW);
        assertThat(next.sequence()).isGreaterThan(again.sequence());
    }

    @Test
    void theOverlayHoldsTheLastWriteOfEachKey() {
        var journal = open();
        journal.appendPut(record("a", "1"), NOW);
        journal.appendPut(record("a", "22"), NOW);
        journal.appendPut(record("b", "3"), NOW);
        journal.appendDelete("photos", "b", NOW);

        assertThat(journal.lookup("photos", "a")).map(Pending::record).contains(record("a", "22"));
        assertThat(journal.lookup("photos", "b")).hasValueSatisfying(p -> assertThat(p.record()).isNull());
        assertThat(journal.lookup("photos", "c")).isEmpty();
        assertThat(journal.lookup("other", "a")).isEmpty();
    }

    @Test
    void forgettingAnOlderEntryKeepsTheOverlayOfALaterOne() {
        var journal = open();
        var first = journal.appendPut(record("a", "1"), NOW);
        journal.appendPut(record("a", "22"), NOW);

        journal.remove(first);

        assertThat(journal.lookup("photos", "a")).map(Pending::record).contains(record("a", "22"));
        assertThat(journal.size()).isEqualTo(1);
        assertThat(open().size()).as("its file is gone").isEqualTo(1);
    }

    @Test
    void forgettingTheLastEntryOfAKeyHandsTheKeyBackToTheDatabase() {
        var journal = open();
        var only = journal.appendPut(record("a", "1"), NOW);

        journal.remove(only);

        assertThat(journal.lookup("photos", "a")).isEmpty();
        assertThat(journal.isEmpty()).isTrue();
        assertThat(open().isEmpty()).isTrue();
    }

    @Test
    void aBlobIsHeldWhileAPendingObjectUsesIt() {
        var journal = open();
        ContentHash hash = record("a", "same").hash();
        var a = journal.appendPut(record("a", "same"), NOW);
        journal.appendPut(record("b", "same"), NOW);
        assertThat(journal.holdsReference("photos", hash)).isTrue();

        journal.appendDelete("photos", "b", NOW);
        assertThat(journal.holdsReference("photos", hash)).as("a still uses it").isTrue();
        journal.remove(a);
        assertThat(journal.holdsReference("photos", hash)).isFalse();
        assertThat(journal.holdsReference("other", hash)).isFalse();
    }

    @Test
    void pendingKeysOfAPrefixComeInKeyOrderAfterTheCursor() {
        var journal = open();
        for (String k : new String[] {"p/c", "p/a", "q/a", "p/b", "p/é", "p/Z"}) {
            journal.appendPut(record(k, k), NOW);
        }

        assertThat(journal.pendingIn("photos", "p/", null)).extracting(Pending::key)
            .containsExactly("p/Z", "p/a", "p/b", "p/c", "p/é");
        assertThat(journal.pendingIn("photos", "p/", "p/a")).extracting(Pending::key)
            .containsExactly("p/b", "p/c", "p/é");
        assertThat(journal.hasPendingIn("photos")).isTrue();
        assertThat(journal.hasPendingIn("videos")).isFalse();
    }

    @Test
    void aWriteThatNeverReachedItsFinalNameIsDroppedAtStart() throws Exception {
        var journal = open();
        journal.appendPut(record("a", "1"), NOW);
        Path leftover = journal.directory().resolve(".tmp-0b7f9d1e-0000-0000-0000-000000000000.json");
        Files.writeString(leftover, "{\"half\":");

        var reopened = open();

        assertThat(reopened.size()).isEqualTo(1);
        assertThat(leftover).doesNotExist();
    }

    @Test
    void anUnreadableEntryIsSetAsideNotSilentlyDeleted() throws Exception {
        var journal = open();
        var good = journal.appendPut(record("a", "1"), NOW);
        Path broken = journal.directory().resolve("%020d-%s.json".formatted(99, "0b7f9d1e-0000-0000-0000-000000000000"));
        Files.writeString(broken, "not json");

        var reopened = open();

        assertThat(reopened.pending()).containsExactly(good);
        assertThat(broken.resolveSibling(broken.getFileName() + ".unreadable")).exists();
    }

    @Test
    void keyOrderIsTheOrderOfUtf8Bytes() {
        String[] keys = {"a", "B", "é", "\uFFFD", "\uD83D\uDE00", "a/b", "a b"};
        java.util.Arrays.sort(keys, KeyOrder.INSTANCE);
        String[] byBytes = keys.clone();
        java.util.Arrays.sort(byBytes, (x, y) -> java.util.Arrays.compareUnsigned(
            x.getBytes(StandardCharsets.UTF_8), y.getBytes(StandardCharsets.UTF_8)));

        assertThat(keys).containsExactly(byBytes);
        assertThat(keys).containsSubsequence("\uFFFD", "\uD83D\uDE00");
    }

    @Test
    void anEntryWrittenBeforeTagsExistedReadsBackWithNone() throws Exception {
        var journal = open();
        Files.createDirectories(journal.directory());
        // As an agent before tags (and before versions) wrote it: no "tags", no "version".
        String old = """
            {"id":"0b6c7a4e-2f8e-4d0a-9c1e-3c2d1b0a9f8e","sequence":7,"operation":"PUT","bucket":"photos","key":"old.png",
             "hash":"%s","size":3,"contentType":"image/png","userMetadata":{"camera":"x100"},
             "createdAt":"2026-11-24T12:00:00.123456Z","journaledAt":"2026-11-24T12:00:00.123456Z"}
            """.formatted(ContentHash.ofBytes("old".getBytes(StandardCharsets.UTF_8)).hex());
        Files.writeString(journal.directory().resolve("%020d-0b6c7a4e-2f8e-4d0a-9c1e-3c2d1b0a9f8e.json".formatted(7)), old);

        var reopened = open();

        assertThat(reopened.pending()).singleElement().satisfies(e -> {
            assertThat(e.tags()).isNull();
            assertThat(e.record().tags()).isEmpty();
            assertThat(e.record().userMetadata()).containsEntry("camera", "x100");
        });
        assertThat(reopened.lookup("photos", "old.png")).isPresent();
    }

    @Test
    void aTagEntryChangesNoObjectStateButItsVersionsTags() {
        var journal = open();
        var put = journal.appendPut(record("a", "1").withVersion(dev.kelp.agent.versions.VersionIds.next()), NOW);
        journal.appendTags("photos", "a", put.version(), Map.of("k", "v"), NOW);

        var reopened = open();

        assertThat(reopened.lookup("photos", "a").orElseThrow().record().tags()).as("the put's own, none").isEmpty();
        assertThat(reopened.pendingTagsOf("photos", "a")).containsExactly(Map.entry(put.version(), Map.of("k", "v")));
        assertThat(reopened.entryOfVersion("photos", "a", put.version())).contains(put);
        reopened.remove(reopened.pending().getLast());
        assertThat(reopened.pendingTagsOf("photos", "a")).isEmpty();
        assertThat(reopened.lookup("photos", "a")).isPresent();
    }
}
