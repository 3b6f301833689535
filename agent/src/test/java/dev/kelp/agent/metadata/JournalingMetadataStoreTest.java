package dev.kelp.agent.metadata;

import static dev.kelp.agent.metadata.MetadataStoreContract.hashOf;
import static dev.kelp.agent.metadata.MetadataStoreContract.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.kelp.agent.events.AgentEvent;
import dev.kelp.agent.metadata.MetadataStore.BlobRef;
import dev.kelp.agent.metadata.MetadataStore.PutOutcome;
import dev.kelp.agent.metadata.MetadataStore.Usage;
import dev.kelp.agent.mode.Mode;
import dev.kelp.agent.object.ObjectRecord;
import io.micronaut.json.JsonMapper;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * LOCAL_ONLY: writes journaled while the database is unreachable, read back from the journal,
 * replayed in order and exactly once. The database is the real embedded H2 behind a switch
 * ({@link FlakyDatabase}); the replayer is ticked by hand except where its own schedule is
 * what the test is about.
 */
class JournalingMetadataStoreTest extends JournalingStoreFixture {

    @Test
    void whileTheDatabaseAnswersWritesGoStraightToIt() throws Exception {
        var store = open();

        PutOutcome outcome = store.put(record("k", "v"));

        assertThat(outcome.stored().versionId()).isPositive();
        assertThat(database.find(bucket, "k")).contains(outcome.stored());
        assertThat(journalFiles()).isZero();
        assertThat(mode.current().mode()).isEqualTo(Mode.FULL);
    }

    @Test
    void aWriteThatFindsTheDatabaseDownIsJournaledAcknowledgedAndTheAgentGoesLocalOnly() throws Exception {
        var store = open();
        database.down = true;

        PutOutcome outcome = store.put(record("k", "v"));

        assertThat(outcome.stored().versionId()).as("not stored in the database yet").isZero();
        assertThat(outcome.blobCreated()).as("nothing vouches for the bytes: the caller stores them").isTrue();
        assertThat(journalFiles()).isEqualTo(1);
        assertThat(store.writingToDatabase()).isFalse();
        assertThat(mode.current().mode()).isEqualTo(Mode.LOCAL_ONLY);
        assertThat(mode.current().reasons()).anySatisfy(r -> assertThat(r).contains("metadata: database unreachable").contains("Connection refused"));
        assertThat(events).extracting(AgentEvent::type).contains(AgentEvent.Type.MODE_TRANSITION);
    }

    @Test
    void readsAnswerFromTheJournalFirst() {
        var store = open();
        PutOutcome kept = store.put(record("kept", "in the database"));
        store.put(record("doomed", "in the database"));
        database.put(MetadataStoreContract.record(bucket, "other-agent", "written by another agent of the policy"));
        database.down = true;

        PutOutcome journaled = store.put(record("new", "journaled"));
        store.delete(bucket, "doomed");

        assertThat(store.find(bucket, "new")).contains(journaled.stored());
        assertThat(store.find(bucket, "doomed")).isEmpty();
        assertThat(store.hasLiveBlob(bucket, hashOf("journaled"))).isTrue();
        assertThat(store.find(bucket, "kept")).as("written before the outage: its last-known record").contains(kept.stored());
        assertThatThrownBy(() -> store.find(bucket, "other-agent"))
            .as("never seen by this agent, and the database is down").isInstanceOf(MetadataUnavailableException.class);
        assertThatThrownBy(() -> store.list(bucket, "", null, 10)).isInstanceOf(MetadataUnavailableException.class);
    }

    @Test
    void aKeyReadBeforeTheOutageIsStillReadableDuringIt() {
        var store = open();
        var elsewhere = database.put(MetadataStoreContract.record(bucket, "read-before", "written by another agent")).stored();
        assertThat(store.find(bucket, "read-before")).contains(elsewhere);
        database.delete(bucket, "read-before");
        assertThat(store.find(bucket, "read-before")).as("the database says it is gone: forgotten").isEmpty();
        var again = database.put(MetadataStoreContract.record(bucket, "read-before", "back again")).stored();
        assertThat(store.find(bucket, "read-before")).contains(again);
        database.down = true;

        assertThat(store.find(bucket, "read-before")).contains(again);
    }

    @Test
    void aJournaledPutOfContentAnotherJournaledObjectHoldsNeedNotStoreItAgain() {
        var store = open();
        database.down = true;

        assertThat(store.put(record("a", "shared")).blobCreated()).isTrue();
        assertThat(store.put(record("b", "shared")).blobCreated()).isFalse();
        assertThat(store.put(record("c", "other")).blobCreated()).isTrue();
    }

    @Test
    void theJournalIsReplayedInOrderWhenTheDatabaseIsBack() throws Exception {
        var store = open();
        store.put(record("gone", "before the outage"));
        database.down = true;
        store.put(record("k", "first"));
        store.put(record("k", "second"));
        store.delete(bucket, "gone");
        store.put(record("j", "third"));
        store.delete(bucket, "j");
        store.put(record("j", "fourth"));
        store.replayTick();
        assertThat(journalFiles()).as("still down: nothing replayed").isEqualTo(6);

        database.down = false;
        store.replayTick();

        assertThat(database.applied).hasValue(6);
        assertThat(journalFiles()).isZero();
        assertThat(database.find(bucket, "k")).hasValueSatisfying(r -> assertThat(r.hash()).isEqualTo(hashOf("second")));
        assertThat(database.find(bucket, "j")).hasValueSatisfying(r -> assertThat(r.hash()).isEqualTo(hashOf("fourth")));
        assertThat(database.find(bucket, "gone")).isEmpty();
        assertThat(database.usage(bucket)).isEqualTo(new Usage("second".length() + "fourth".length(), 2));
        assertThat(store.writingToDatabase()).isTrue();
        assertThat(mode.current().mode()).isEqualTo(Mode.FULL);
        assertThat(events).extracting(e -> e.detail().get("to")).containsExactly("LOCAL_ONLY", "FULL");
    }

    @Test
    void writesDuringReplayQueueBehindTheJournalAndKeepTheirOrder() throws Exception {
        var store = open(Duration.ofMillis(20));
        store.start();
        database.down = true;
        for (int i = 0; i < 40; i++) {
            store.put(record("counter", "value " + i));
        }
        database.down = false;
        // The replayer is draining the journal while this writer goes on.
        for (int i = 40; i < 80; i++) {
            store.put(record("counter", "value " + i));
            store.put(record("other-" + (i % 5), "x" + i));
        }

        await().atMost(Duration.ofSeconds(30)).until(store::writingToDatabase);
        assertThat(store.find(bucket, "counter")).hasValueSatisfying(r -> assertThat(r.hash()).isEqualTo(hashOf("value 79")));
        assertThat(database.find(bucket, "counter")).hasValueSatisfying(r -> assertThat(r.hash()).isEqualTo(hashOf("value 79")));
        for (int k = 0; k < 5; k++) {
            int last = 75 + k;
            assertThat(database.find(bucket, "other-" + k)).hasValueSatisfying(r -> assertThat(r.hash()).isEqualTo(hashOf("x" + last)));
        }
        assertThat(journalFiles()).isZero();
        assertThat(mode.current().mode()).isEqualTo(Mode.FULL);
    }

    @Test
    void writersRacingAFlappingDatabaseEachEndWithTheirLastWrite() throws Exception {
        var store = open(Duration.ofMillis(10));
        store.start();
        int writers = 8;
        int writesEach = 60;
        var flapping = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread flapper = new Thread(() -> {
            while (flapping.get()) {
                database.down = !database.down;
                try {
                    Thread.sleep(15);
                } catch (InterruptedException e) {
                    return;
                }
            }
            database.down = false;
        });
        flapper.start();
        try {
            MetadataStoreContract.runConcurrently(writers, t -> {
                for (int i = 0; i < writesEach; i++) {
                    store.put(record("writer-" + t, "writer " + t + " write " + i));
                    try {
                        assertThat(store.find(bucket, "writer-" + t).map(ObjectRecord::hash))
                            .as("a writer never reads an older write than its last").contains(hashOf("writer " + t + " write " + i));
                    } catch (MetadataUnavailableException e) {
                        // Written to the database, which is down now: it may say so, never answer stale.
                    }
                }
            });
        } finally {
            flapping.set(false);
            flapper.join();
        }

        await().atMost(Duration.ofSeconds(30)).until(store::writingToDatabase);
        long bytes = 0;
        for (int t = 0; t < writers; t++) {
            String last = "writer " + t + " write " + (writesEach - 1);
            assertThat(database.find(bucket, "writer-" + t)).hasValueSatisfying(r -> assertThat(r.hash()).isEqualTo(hashOf(last)));
            bytes += last.length();
        }
        assertThat(database.usage(bucket)).isEqualTo(new Usage(bytes, writers));
        assertThat(journalFiles()).isZero();
        assertThat(mode.current().mode()).isEqualTo(Mode.FULL);
    }

    @Test
    void anEntryAppliedJustBeforeACrashIsNotAppliedAgain() throws Exception {
        var before = open();
        database.down = true;
        before.put(record("a", "first"));
        before.put(record("b", "second"));
        before.stop();
        // The crash: the first entry's transaction committed, its file was never deleted.
        JournalEntry first = new MetadataJournal(fallbackDir, context.getBean(JsonMapper.class)).pending().getFirst();
        database.down = false;
        assertThat(database.apply(first)).isTrue();
        long versionAfterCrash = database.find(bucket, "a").orElseThrow().versionId();

        var restarted = open();
        assertThat(mode.current().mode()).as("a journal left over means LOCAL_ONLY until it is replayed").isEqualTo(Mode.LOCAL_ONLY);
        restarted.replayTick();

        assertThat(database.skipped).as("the first entry is recognised").hasValue(1);
        assertThat(database.applied).as("the crash's apply and the second entry").hasValue(2);
        assertThat(database.find(bucket, "a").orElseThrow().versionId()).isEqualTo(versionAfterCrash);
        assertThat(database.find(bucket, "b")).isPresent();
        assertThat(database.usage(bucket)).isEqualTo(new Usage("first".length() + "second".length(), 2));
        assertThat(journalFiles()).isZero();
        assertThat(mode.current().mode()).isEqualTo(Mode.FULL);
    }

    @Test
    void whileTheJournalIsReplayedListAndUsageMergeItWithTheDatabase() throws Exception {
        var store = open();
        for (String k : List.of("p/a", "p/b", "p/c", "p/d", "q/x")) {
            store.put(record(k, "db " + k));
        }
        database.down = true;
        store.put(record("p/b", "journaled b, longer"));
        store.delete(bucket, "p/c");
        store.put(record("p/bb", "new"));
        store.delete(bucket, "p/nothing");
        store.stop();
        database.down = false;

        var restarted = open();
        List<String> expectedKeys = List.of("p/a", "p/b", "p/bb", "p/d");
        assertThat(restarted.list(bucket, "p/", null, 10)).extracting(ObjectRecord::key).containsExactlyElementsOf(expectedKeys);
        assertThat(restarted.list(bucket, "p/", null, 2)).extracting(ObjectRecord::key).containsExactly("p/a", "p/b");
        assertThat(restarted.list(bucket, "p/", "p/b", 2)).extracting(ObjectRecord::key).containsExactly("p/bb", "p/d");
        assertThat(restarted.list(bucket, "p/", null, 10).get(1).hash()).isEqualTo(hashOf("journaled b, longer"));
        Usage merged = restarted.usage(bucket);

        restarted.replayTick();

        assertThat(restarted.list(bucket, "p/", null, 10)).extracting(ObjectRecord::key).containsExactlyElementsOf(expectedKeys);
        assertThat(database.usage(bucket)).isEqualTo(merged);
        assertThat(merged.objects()).isEqualTo(5);
    }

    @Test
    void aBlobThatAJournaledObjectUsesIsNeitherListedForNorGivenToReclaim() throws Exception {
        var store = open();
        store.put(record("k", "recycled"));
        store.delete(bucket, "k");
        database.down = true;
        store.put(record("k2", "recycled"));
        store.stop();
        database.down = false;
        var restarted = open();
        BlobRef blob = new BlobRef(bucket, hashOf("recycled"), 8);
        assertThat(database.unreferencedBlobs(10_000)).contains(blob);
        AtomicInteger deletions = new AtomicInteger();

        assertThat(restarted.unreferencedBlobs(10_000)).doesNotContain(blob);
        assertThat(restarted.reclaim(blob, deletions::incrementAndGet)).isFalse();

        assertThat(deletions).hasValue(0);
        restarted.replayTick();
        assertThat(database.hasLiveBlob(bucket, hashOf("recycled"))).isTrue();
    }

    @Test
    void anAgentStartingWhileTheDatabaseIsDownGoesLocalOnlyAtOnce() {
        database.down = true;
        var store = open(Duration.ofMillis(20));

        store.start();

        await().atMost(Duration.ofSeconds(10)).until(() -> mode.current().mode() == Mode.LOCAL_ONLY);
        assertThat(store.writingToDatabase()).isFalse();
        assertThatThrownBy(() -> store.usage(bucket)).isInstanceOf(MetadataUnavailableException.class);
    }

    @Test
    void theReplayerNoticesTheDatabaseIsBackBySelf() {
        var store = open(Duration.ofMillis(20));
        store.start();
        database.down = true;
        PutOutcome journaled = store.put(record("k", "v"));
        assertThat(mode.current().mode()).isEqualTo(Mode.LOCAL_ONLY);

        database.down = false;

        await().atMost(Duration.ofSeconds(10)).until(() -> mode.current().mode() == Mode.FULL);
        assertThat(store.journaledWrites()).isZero();
        assertThat(store.find(bucket, "k")).hasValueSatisfying(r -> {
            assertThat(r.versionId()).isPositive();
            assertThat(r.hash()).isEqualTo(journaled.stored().hash());
        });
    }
}
