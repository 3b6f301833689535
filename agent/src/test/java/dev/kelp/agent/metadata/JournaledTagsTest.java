package dev.kelp.agent.metadata;

import static dev.kelp.agent.metadata.MetadataStoreContract.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kelp.agent.metadata.MetadataStore.Usage;
import dev.kelp.agent.mode.Mode;
import dev.kelp.agent.object.ObjectRecord;
import io.micronaut.json.JsonMapper;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Tag sets (S3's PutObjectTagging) through the journaling store: straight to the database while
 * it answers; journaled while it does not, read back at once, and applied exactly once at
 * replay, surviving an agent restart in between. The database is the real embedded H2 behind a
 * switch ({@link FlakyDatabase}); the replayer is ticked by hand.
 */
class JournaledTagsTest extends JournalingStoreFixture {

    static final Map<String, String> TEAM = Map.of("team", "storage");

    static Map<String, String> ordered(String... kv) {
        var map = new java.util.LinkedHashMap<String, String>();
        for (int i = 0; i < kv.length; i += 2) {
            map.put(kv[i], kv[i + 1]);
        }
        return map;
    }

    @Test
    void aTagSetReplacesTheVersionsTagsAndNothingElse() {
        var store = open();
        ObjectRecord stored = store.put(record("k", "v").withTags(TEAM)).stored();
        assertThat(store.find(bucket, "k").orElseThrow().tags()).isEqualTo(TEAM);

        var tags = ordered("b", "2", "a", "1");
        ObjectRecord tagged = store.putTags(bucket, "k", stored.version(), tags).orElseThrow();

        assertThat(tagged.tags()).containsExactly(Map.entry("b", "2"), Map.entry("a", "1"));
        ObjectRecord found = store.find(bucket, "k").orElseThrow();
        assertThat(found.tags().entrySet()).containsExactly(Map.entry("b", "2"), Map.entry("a", "1"));
        assertThat(found.withTags(Map.of())).isEqualTo(stored.withTags(Map.of()));
        assertThat(database.usage(bucket)).isEqualTo(new Usage(1, 1));
        assertThat(store.putTags(bucket, "k", stored.version(), Map.of()).orElseThrow().tags()).isEmpty();
        assertThat(store.find(bucket, "k").orElseThrow().tags()).isEmpty();
        assertThat(store.putTags(bucket, "k", dev.kelp.agent.versions.VersionIds.next(), TEAM)).isEmpty();
        assertThat(store.putTags(bucket, "missing", stored.version(), TEAM)).isEmpty();
    }

    @Test
    void tagsWrittenWhileTheDatabaseIsDownReadBackAndReplayExactlyOnceAcrossARestart() throws Exception {
        var before = open();
        ObjectRecord old = before.put(record("known", "before the outage")).stored();
        database.down = true;
        // A put with tags during the outage, then its tags replaced twice; and the tags of an
        // object written before the outage (this agent last saw it), replaced once.
        ObjectRecord journaled = before.put(record("new", "during").withTags(TEAM)).stored();
        before.putTags(bucket, "new", journaled.version(), ordered("step", "1"));
        before.putTags(bucket, "new", journaled.version(), ordered("step", "2", "final", "yes"));
        ObjectRecord oldTagged = before.putTags(bucket, "known", old.version(), ordered("seen", "before")).orElseThrow();
        assertThat(oldTagged.version()).isEqualTo(old.version());
        assertThat(journalFiles()).isEqualTo(4);

        assertThat(before.find(bucket, "new").orElseThrow().tags()).containsExactly(Map.entry("step", "2"), Map.entry("final", "yes"));
        assertThat(before.find(bucket, "known").orElseThrow().tags()).containsExactly(Map.entry("seen", "before"));
        assertThat(before.findVersion(bucket, "new", journaled.version()).orElseThrow().object().tags()).containsKey("final");
        assertThat(mode.current().mode()).isEqualTo(Mode.LOCAL_ONLY);
        // A key this agent never saw cannot be tagged while the database is down: not a guess.
        assertThatThrownBy(() -> before.putTags(bucket, "unknown", old.version(), TEAM)).isInstanceOf(MetadataUnavailableException.class);
        assertThat(journalFiles()).isEqualTo(4);
        before.stop();

        // The agent restarts while the database is still down, then the database comes back.
        var restarted = open();
        assertThat(restarted.find(bucket, "new").orElseThrow().tags()).containsExactly(Map.entry("step", "2"), Map.entry("final", "yes"));
        database.down = false;
        restarted.replayTick();

        assertThat(database.applied).hasValue(4);
        assertThat(database.skipped).hasValue(0);
        assertThat(journalFiles()).isZero();
        assertThat(database.find(bucket, "new").orElseThrow().tags()).containsExactly(Map.entry("step", "2"), Map.entry("final", "yes"));
        assertThat(database.find(bucket, "known").orElseThrow().tags()).containsExactly(Map.entry("seen", "before"));
        // Tagging made no version: each key has the one version it was written with.
        assertThat(database.listVersionsOfKey(bucket, "new", null, 10)).hasSize(1);
        assertThat(database.listVersionsOfKey(bucket, "known", null, 10)).singleElement()
            .satisfies(v -> assertThat(v.version()).isEqualTo(old.version()));
        assertThat(database.usage(bucket)).isEqualTo(new Usage("before the outage".length() + "during".length(), 2));
        assertThat(mode.current().mode()).isEqualTo(Mode.FULL);
    }

    @Test
    void aTagEntryAppliedJustBeforeACrashIsNotAppliedAgain() throws Exception {
        var before = open();
        ObjectRecord stored = before.put(record("k", "v")).stored();
        database.down = true;
        before.putTags(bucket, "k", stored.version(), ordered("first", "1"));
        before.putTags(bucket, "k", stored.version(), ordered("second", "2"));
        before.stop();
        JournalEntry first = new MetadataJournal(fallbackDir, context.getBean(JsonMapper.class)).pending().getFirst();
        database.down = false;
        assertThat(database.apply(first)).isTrue();

        var restarted = open();
        restarted.replayTick();

        assertThat(database.skipped).as("the first entry is recognised").hasValue(1);
        assertThat(database.applied).hasValue(2);
        assertThat(database.find(bucket, "k").orElseThrow().tags()).containsExactly(Map.entry("second", "2"));
    }

    @Test
    void tagsJournaledForAVersionGoneByReplayChangeNothingAndDoNotBlockTheJournal() throws Exception {
        var store = open();
        ObjectRecord stored = store.put(record("k", "v")).stored();
        database.down = true;
        store.putTags(bucket, "k", stored.version(), TEAM);
        store.put(record("after", "x"));
        database.down = false;
        // Meanwhile another agent deleted the object for good.
        database.delete(bucket, "k", dev.kelp.agent.versions.VersionIds.next());

        store.replayTick();

        assertThat(journalFiles()).isZero();
        assertThat(database.find(bucket, "k")).isEmpty();
        assertThat(database.find(bucket, "after")).isPresent();
        assertThat(mode.current().mode()).isEqualTo(Mode.FULL);
    }
}
